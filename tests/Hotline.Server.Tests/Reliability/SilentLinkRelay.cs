using System.Net;
using System.Net.Sockets;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// A TCP relay on 127.0.0.1 between a client and the server that can go silent: after
/// <see cref="Freeze"/> it neither reads nor writes, and never closes either socket, so the server
/// sees what a vanished laptop or a dead NAT looks like (a half-open connection), with no FIN or
/// RST to tell it the caller is gone.
/// </summary>
internal sealed class SilentLinkRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private volatile bool _frozen;
    private readonly CancellationTokenSource _closed = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;

    public SilentLinkRelay(Uri target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public void Freeze() => _frozen = true;

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        _listener.Stop();
        await _accepting.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }
        _closed.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_closed.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_closed.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }
            try
            {
                await server.ConnectAsync(_target.Host, _target.Port, _closed.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                return;
            }
            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    /// <summary>
    /// Copies until frozen, then stops: what arrives after the freeze is dropped and nothing more is
    /// read, while both sockets stay open. Pending receives are not cancelled, because cancelling a
    /// socket operation may close the socket, which would tell the server the caller is gone.
    /// </summary>
    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (!_frozen)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0 || _frozen)
                {
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
