using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>For a store nobody watches: tools, tests.</summary>
public sealed class NoChangeListener : IChangeListener
{
    public static readonly NoChangeListener Instance = new();

    private NoChangeListener()
    {
    }

    public void OnCommitted(IReadOnlyList<RequestChange> changes)
    {
    }
}
