namespace Hotline.Storage.Tests;

public sealed class DataDirectoryTests
{
    [Fact]
    public async Task SecondStoreOnSameDirectory_IsRefusedUntilTheFirstIsDisposed()
    {
        using var directory = new TempDirectory();
        var first = TestStore.InDirectory(directory.Path);
        await first.SubmitAsync(TestData.Submission("k"), CancellationToken.None).DefaultTimeout();

        var refused = Assert.Throws<DataDirectoryInUseException>(() => TestStore.InDirectory(directory.Path));

        Assert.Contains("second server on the same data directory is refused", refused.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(directory.Path), refused.Message, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(directory.Path), refused.DataDirectory);
        Assert.Equal(1, first.CommittedRevision);

        first.Dispose();
        using var second = TestStore.InDirectory(directory.Path);
        Assert.Equal(1, second.CommittedRevision);
    }

    [Fact]
    public void MissingDirectory_IsCreatedOwnerOnlyWithLockAndDatabase()
    {
        using var directory = new TempDirectory();
        var nested = Path.Combine(directory.Path, "data");
        using (TestStore.InDirectory(nested))
        {
            Assert.True(File.Exists(Path.Combine(nested, "hotline.lock")));
            Assert.True(File.Exists(Path.Combine(nested, "hotline.db")));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(nested));
            }
        }
    }

    [Fact]
    public void ExistingOpenDirectory_IsTightenedToOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.Path);
        File.SetUnixFileMode(directory.Path, (UnixFileMode)0b111_101_101);

        using (TestStore.InDirectory(directory.Path))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory.Path));
        }
    }
}
