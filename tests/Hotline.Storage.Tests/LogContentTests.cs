using Hotline.Domain;
using Microsoft.Extensions.Logging;

namespace Hotline.Storage.Tests;

public sealed class LogContentTests
{
    private const string Secret = "Зарема-секрет";

    [Fact]
    public async Task FullLifecycleWithFailures_LogsNoRequestContent()
    {
        var logger = new CapturingLogger();
        var receipt = default(IntakeReceipt);
        using (var store = TestStore.InMemory(logger: logger, listener: new ThrowingListener()))
        {
            var holder = TestData.Operator(1);
            receipt = await store.SubmitAsync(TestData.Submission("secret") with
            {
                Message = Secret,
                ContactHandle = "@" + Secret,
                Region = Secret,
                Tags = [Secret],
            }, CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(receipt.RequestId, new AssignCommand(holder, holder), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(receipt.RequestId, new AddNoteCommand(holder, Secret), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(receipt.RequestId, new CloseCommand(holder, Resolution.Other, Secret), CancellationToken.None).DefaultTimeout();
            await Assert.ThrowsAsync<DomainException>(() =>
                store.ExecuteAsync(receipt.RequestId, new AddNoteCommand(holder, Secret), CancellationToken.None).DefaultTimeout());
            await store.CompactAsync(CancellationToken.None).DefaultTimeout();
        }

        Assert.NotEmpty(logger.Lines);
        Assert.Contains(logger.Lines, line => line.Contains("listener failed", StringComparison.Ordinal));
        Assert.All(logger.Lines, line => Assert.DoesNotContain("секрет", line, StringComparison.Ordinal));
    }

    private sealed class ThrowingListener : IChangeListener
    {
        public void OnCommitted(IReadOnlyList<RequestChange> changes) =>
            throw new InvalidOperationException("listener bug");
    }
}
