using Hotline.Console.Operations;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>r: put the request back in the queue, asking first when a colleague holds it.</summary>
internal sealed class ReleaseFlow(RequestOperations operations, TakeoverQuestion takeover)
{
    public async Task<ActionOutcome?> RunAsync(HelpRequest request) =>
        takeover.Allows(request, "Release", holder => $"#{request.Number} is held by {holder}.\nPut it back in the queue? They are told at once.", "_Release it")
            ? await operations.ReleaseAsync(request)
            : null;
}
