using Hotline.Domain;

namespace Hotline.Domain.Tests;

public class OperatorAccountTests
{
    [Theory]
    [InlineData(Role.Intake, Role.Intake, true)]
    [InlineData(Role.Intake, Role.Operator, false)]
    [InlineData(Role.Intake, Role.Supervisor, false)]
    [InlineData(Role.Intake, Role.Admin, false)]
    [InlineData(Role.Operator, Role.Intake, false)]
    [InlineData(Role.Operator, Role.Operator, true)]
    [InlineData(Role.Operator, Role.Supervisor, false)]
    [InlineData(Role.Operator, Role.Admin, false)]
    [InlineData(Role.Supervisor, Role.Intake, false)]
    [InlineData(Role.Supervisor, Role.Operator, true)]
    [InlineData(Role.Supervisor, Role.Supervisor, true)]
    [InlineData(Role.Supervisor, Role.Admin, false)]
    [InlineData(Role.Admin, Role.Intake, false)]
    [InlineData(Role.Admin, Role.Operator, true)]
    [InlineData(Role.Admin, Role.Supervisor, true)]
    [InlineData(Role.Admin, Role.Admin, true)]
    [InlineData(Role.Unspecified, Role.Intake, false)]
    [InlineData(Role.Unspecified, Role.Operator, false)]
    public void Can_ActiveAccount_HigherRolesIncludeLowerButNeverIntake(Role role, Role needed, bool expected) =>
        Assert.Equal(expected, new OperatorAccount("x", "X", role).Can(needed));

    [Theory]
    [InlineData(Role.Intake, Role.Intake)]
    [InlineData(Role.Operator, Role.Operator)]
    [InlineData(Role.Admin, Role.Operator)]
    [InlineData(Role.Admin, Role.Admin)]
    public void Can_DisabledAccount_IsAlwaysFalse(Role role, Role needed) =>
        Assert.False(new OperatorAccount("x", "X", role, Disabled: true).Can(needed));
}
