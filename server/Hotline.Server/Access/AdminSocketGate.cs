using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Hotline.Server.Access;

/// <summary>
/// Keeps the two doors apart: AdminService answers only on the admin socket, and the admin socket
/// answers nothing else, so no mistake in a route or a token check can expose administration on
/// the network. A refused call gets a gRPC UNIMPLEMENTED, as for a method that does not exist.
/// </summary>
public static class AdminSocketGate
{
    public const string SocketFileName = "admin.sock";

    private const string AdminServicePrefix = "/hotline.v1.AdminService";

    /// <summary>
    /// Unix socket addresses hold at most 107 bytes; a longer path fails at start with a clear
    /// message instead of Kestrel's.
    /// </summary>
    public const int MaxSocketPathBytes = 107;

    public static string PathFor(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), SocketFileName);

    public static bool IsAdminSocket(HttpContext context) =>
        context.RequestServices.GetRequiredService<AdminSocketConnections>().Contains(context.Connection.Id);

    public static IApplicationBuilder UseAdminSocketGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Compared as routing compares (ignoring case): routing would serve /HOTLINE.V1.ADMINSERVICE/...
        // as AdminService, so the gate must see it as an admin call too.
        var adminCall = context.Request.Path.StartsWithSegments(AdminServicePrefix, StringComparison.OrdinalIgnoreCase);
        if (adminCall == IsAdminSocket(context))
        {
            await next(context);
            return;
        }
        // A trailers-only gRPC response: status in the headers, no body.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = "12";
        context.Response.Headers["grpc-message"] = adminCall
            ? "AdminService is served only on the admin socket in the data directory."
            : "The admin socket serves only AdminService.";
    });
}

/// <summary>
/// The connections accepted on the admin socket, by connection id. Kestrel marks them as they
/// are accepted (a connection middleware on that endpoint only), because a request cannot see
/// which listener its connection came through. Safe from any thread.
/// </summary>
public sealed class AdminSocketConnections
{
    private readonly ConcurrentDictionary<string, byte> _open = new(StringComparer.Ordinal);

    public bool Contains(string connectionId) => _open.ContainsKey(connectionId);

    public ConnectionDelegate Track(ConnectionDelegate next) => async connection =>
    {
        _open[connection.ConnectionId] = 0;
        try
        {
            await next(connection);
        }
        finally
        {
            _open.TryRemove(connection.ConnectionId, out _);
        }
    };
}
