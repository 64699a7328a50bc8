using Microsoft.AspNetCore.Http.Features;

namespace Hotline.Server.Live;

/// <summary>
/// Ends a watch's HTTP/2 stream at once with an RST_STREAM, for when a gRPC status cannot reach
/// the client: trailers queue behind the unsent messages, and a client that stopped reading has
/// closed its flow-control window to them. RST_STREAM is not flow-controlled, so it arrives, and
/// the pending write it leaves behind completes, which releases the call.
/// </summary>
/// <remarks>
/// Call it only from the watch's own loop while the call is running: the stream's HttpContext is
/// recycled once the call finishes. That is why no cancellation token that could fire later is
/// ever handed to the gRPC stream writer, which resets the stream from the token's callback.
/// </remarks>
public sealed class WatchStreamReset(HttpContext http)
{
    // RFC 9113 §7 error codes. gRPC clients report ENHANCE_YOUR_CALM as RESOURCE_EXHAUSTED and CANCEL as CANCELLED.
    private const int Cancel = 0x8;
    private const int EnhanceYourCalm = 0xb;

    /// <summary>The watcher took no data for the write timeout: it sees RESOURCE_EXHAUSTED and resumes from its last revision.</summary>
    public void TooSlow() => Reset(EnhanceYourCalm);

    /// <summary>The server ended the stream (lockdown, revocation, shutdown) and the watcher is not reading; its next call learns why.</summary>
    public void Ended() => Reset(Cancel);

    private void Reset(int errorCode)
    {
        if (http.Features.Get<IHttpResetFeature>() is { } reset)
        {
            reset.Reset(errorCode);
        }
        else
        {
            http.Abort();
        }
    }
}
