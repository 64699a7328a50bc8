using Hotline.Domain;

namespace Hotline.Domain.Tests;

/// <summary>The accounts the command tests act as; ids are short so metadata assertions read plainly.</summary>
internal static class People
{
    public static readonly OperatorAccount Anna = new("anna", "Anna K.", Role.Operator);
    public static readonly OperatorAccount Boris = new("boris", "Boris M.", Role.Operator);
    public static readonly OperatorAccount Carla = new("carla", "Carla D.", Role.Operator);
    public static readonly OperatorAccount Sofia = new("sofia", "Sofia R.", Role.Supervisor);
    public static readonly OperatorAccount Root = new("root", "Admin", Role.Admin);
    public static readonly OperatorAccount WebForm = new("webform", "Web form", Role.Intake);
    public static readonly OperatorAccount Gone = new("gone", "Left in May", Role.Operator, Disabled: true);

    public static OperatorAccount Named(string id) => id switch
    {
        "anna" => Anna,
        "boris" => Boris,
        "carla" => Carla,
        "sofia" => Sofia,
        "root" => Root,
        "webform" => WebForm,
        "gone" => Gone,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "not one of the test accounts"),
    };
}
