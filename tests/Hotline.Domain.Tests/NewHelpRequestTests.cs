namespace Hotline.Domain.Tests;

public sealed class NewHelpRequestTests
{
    [Fact]
    public void ToNewRequest_CarriesEverySubmittedField_AndStartsNewAndWaitingSinceCreation()
    {
        var submission = new NewHelpRequest
        {
            IntakeRequestId = "form-1",
            SubmittedBy = "webform",
            Channel = Channel.Signal,
            ContactHandle = "@someone",
            Language = "ru",
            Message = "text",
            Urgency = Urgency.Urgent,
            Region = "north",
            Tags = ["legal", "medical"],
        };

        var request = submission.ToNewRequest("r1", 42, Requests.Created);

        Assert.Equal(("r1", 42L, RequestState.New), (request.Id, request.Number, request.State));
        Assert.Equal((Channel.Signal, "@someone", "ru", "text", Urgency.Urgent, "north", "webform"),
            (request.Channel, request.ContactHandle, request.Language, request.Message, request.Urgency, request.Region, request.SubmittedBy));
        Assert.Equal(["legal", "medical"], request.Tags);
        Assert.NotSame(submission.Tags, request.Tags);
        Assert.Equal((Requests.Created, Requests.Created, Requests.Created), (request.CreateTime, request.UpdateTime, request.WaitingSince));
        Assert.Equal((0L, null), (request.Revision, request.Assignee));
    }
}
