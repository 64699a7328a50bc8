using System.Runtime.CompilerServices;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;

namespace Hotline.Console.Tests;

internal static class TestSetup
{
    /// <summary>
    /// Runs before any test: with DisableRealDriverIO=1 the ANSI driver never touches the real
    /// terminal (no raw mode, no escape sequences on the runner's stdout, no size probing).
    /// </summary>
    [ModuleInitializer]
    internal static void Init() => Environment.SetEnvironmentVariable("DisableRealDriverIO", "1");

    /// <summary>A headless application with a fixed screen.</summary>
    public static IApplication NewApp(int width = 80, int height = 24)
    {
        var app = Application.Create();
        app.Init(DriverRegistry.Names.ANSI);
        app.Driver!.SetScreenSize(width, height);
        return app;
    }

    /// <summary>Lays out and draws, then returns the screen as text, one line per row.</summary>
    public static string Screen(this IApplication app)
    {
        app.LayoutAndDraw();
        return app.Driver!.ToString()!;
    }
}
