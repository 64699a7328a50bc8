using Hotline.Domain;

namespace Hotline.Domain.Tests;

public class QuerySyntaxTests
{
    /// <summary>Parsed terms in a compact form the tables below can state: `Field=V1|V2 AND Field!=V`.</summary>
    private static string Parse(string filter) =>
        string.Join(" AND ", QuerySyntax.ParseFilter(filter, callerId: "anna")
            .Select(t => $"{t.Field}{(t.Negated ? "!=" : "=")}{string.Join("|", t.Values)}"));

    private static string Order(string orderBy) =>
        string.Join(", ", QuerySyntax.ParseOrder(orderBy).Select(k => k.Descending ? $"{k.Field} desc" : k.Field.ToString()));

    [Theory]
    [InlineData("", "")]
    [InlineData("   ", "")]
    [InlineData("state = NEW", "State=New")]
    [InlineData("state = REQUEST_STATE_NEW", "State=New")]
    [InlineData("state=WAITING", "State=Waiting")]
    [InlineData("state != CLOSED AND assignee = me", "State!=Closed AND Assignee=anna")]
    [InlineData("state!=CLOSED AND assignee=me", "State!=Closed AND Assignee=anna")]
    [InlineData("assignee = \"\"", "Assignee=")]
    [InlineData("assignee = operators/boris", "Assignee=boris")]
    [InlineData("assignee = \"operators/boris\"", "Assignee=boris")]
    [InlineData("assignee = (me OR \"\")", "Assignee=anna|")]
    [InlineData("state = (NEW OR ASSIGNED)", "State=New|Assigned")]
    [InlineData("state != (REQUEST_STATE_NEW OR ASSIGNED OR WAITING)", "State!=New|Assigned|Waiting")]
    [InlineData("state = REQUEST_STATE_UNSPECIFIED", "State=Unspecified")]
    [InlineData("urgency = IMMEDIATE_DANGER", "Urgency=ImmediateDanger")]
    [InlineData("urgency = URGENCY_ROUTINE", "Urgency=Routine")]
    [InlineData("channel = WHATSAPP", "Channel=WhatsApp")]
    [InlineData("channel = CHANNEL_WEB_FORM", "Channel=WebForm")]
    [InlineData("channel = (SMS OR IN_PERSON)", "Channel=Sms|InPerson")]
    [InlineData("language = ru", "Language=ru")]
    [InlineData("language = en-GB", "Language=en-gb")]
    [InlineData("language = \"\"", "Language=")]
    [InlineData("urgency = URGENT AND channel != PHONE AND language = ce", "Urgency=Urgent AND Channel!=Phone AND Language=ce")]
    public void ParseFilter_ValidFilter_ParsesToNormalisedTerms(string filter, string expected) =>
        Assert.Equal(expected, Parse(filter));

    [Theory]
    [InlineData("priority = HIGH")]
    [InlineData("message = help")]
    [InlineData("state = OPEN")]
    [InlineData("state = 1")]
    [InlineData("urgency = NEW")]
    [InlineData("channel = FAX")]
    [InlineData("assignee = boris")]
    [InlineData("assignee = operators/")]
    [InlineData("state = NEW AND")]
    [InlineData("AND state = NEW")]
    [InlineData("state = NEW AND AND urgency = URGENT")]
    [InlineData("state = NEW and urgency = URGENT")]
    [InlineData("state = NEW OR state = ASSIGNED")]
    [InlineData("state = NEW urgency = URGENT")]
    [InlineData("assignee = \"operators/boris")]
    [InlineData("state NEW")]
    [InlineData("state =")]
    [InlineData("state")]
    [InlineData("state < NEW")]
    [InlineData("state ! NEW")]
    [InlineData("state = (NEW OR ASSIGNED")]
    [InlineData("state = ()")]
    [InlineData("state = (NEW ASSIGNED)")]
    [InlineData("= NEW")]
    public void ParseFilter_InvalidFilter_RejectsFilter(string filter) =>
        Refusal.ExpectInvalid(() => QuerySyntax.ParseFilter(filter, "anna"), "filter");

    [Theory]
    [InlineData("", "Urgency desc, CreateTime")]
    [InlineData("  ", "Urgency desc, CreateTime")]
    [InlineData("urgency desc, create_time", "Urgency desc, CreateTime")]
    [InlineData("number", "Number")]
    [InlineData("update_time desc", "UpdateTime desc")]
    [InlineData("create_time asc,number DESC", "CreateTime, Number desc")]
    [InlineData(" urgency ,  create_time  desc ", "Urgency, CreateTime desc")]
    public void ParseOrder_ValidOrder_ParsesKeys(string orderBy, string expected) =>
        Assert.Equal(expected, Order(orderBy));

    [Theory]
    [InlineData("priority")]
    [InlineData("state")]
    [InlineData("urgency descending")]
    [InlineData("urgency desc number")]
    [InlineData("urgency,")]
    [InlineData(",")]
    [InlineData("-urgency")]
    public void ParseOrder_InvalidOrder_RejectsOrderBy(string orderBy) =>
        Refusal.ExpectInvalid(() => QuerySyntax.ParseOrder(orderBy), "order_by");

    [Theory]
    [InlineData("urgency desc, urgency")]
    [InlineData("number, create_time, number desc")]
    public void ParseOrder_KeyNamedTwice_RejectsOrderBy(string orderBy)
    {
        var error = Refusal.ExpectInvalid(() => QuerySyntax.ParseOrder(orderBy), "order_by");

        Assert.Contains("twice", error.Violations[0].Description, StringComparison.Ordinal);
    }
}
