using Hotline.Console.Operations;
using Hotline.Contract.V1;

namespace Hotline.Console.Actions;

/// <summary>a: claim the request, asking first when a colleague holds it.</summary>
internal sealed class ClaimFlow(RequestOperations operations, TakeoverQuestion takeover)
{
    public async Task<ActionOutcome?> RunAsync(HelpRequest request) =>
        takeover.Allows(request, "Take over", holder => $"#{request.Number} is held by {holder}.\nTake it from them? They are told at once.", "_Take it")
            ? await operations.ClaimAsync(request)
            : null;
}
