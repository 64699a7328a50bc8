using Hotline.Server.Hosting;
using Hotline.Server.Store;

namespace Hotline.Server.Tests.StoreSelection;

/// <summary>Hotline:Store and Hotline:Postgres:ConnectionString: what is refused, in words that name the setting, and never echoing a password.</summary>
public sealed class StoreOptionsTests
{
    private const string Password = "s3cret-Pa55";

    [Theory]
    [InlineData(null, null)]
    [InlineData("litedb", null)]
    [InlineData("LiteDB", null)]
    [InlineData("postgres", "Host=/tmp/pg;Port=5432;Database=hotline;Username=hotline")]
    [InlineData(" Postgres ", "Host=db.example.org;Database=hotline;Username=hotline;Password=" + Password)]
    public void ValidCombinations_HaveNoProblems(string? store, string? connectionString)
    {
        var options = Options(store, connectionString);

        Assert.Empty(options.Problems());
    }

    [Theory]
    [InlineData("postgresql", null, "Hotline:Store must be litedb (the default) or postgres; it is 'postgresql'")]
    [InlineData("", null, "Hotline:Store must be litedb")]
    [InlineData("postgres", null, "Hotline:Store is postgres but Hotline:Postgres:ConnectionString is not set")]
    [InlineData("postgres", "  ", "Hotline:Store is postgres but Hotline:Postgres:ConnectionString is not set")]
    [InlineData("litedb", "Host=db;Database=hotline", "Hotline:Postgres:ConnectionString is set but Hotline:Store is litedb")]
    [InlineData(null, "Host=db;Database=hotline", "Hotline:Postgres:ConnectionString is set but Hotline:Store is litedb")]
    [InlineData("postgres", "Database=hotline;Username=x", "Hotline:Postgres:ConnectionString is not usable: it names no Host")]
    [InlineData("postgres", "Host=db;Frobnicate=" + Password, "Hotline:Postgres:ConnectionString is not usable: it does not parse")]
    public void InvalidCombinations_AreRefused_NamingTheSetting(string? store, string? connectionString, string expected)
    {
        var options = Options(store, connectionString);

        var problem = Assert.Single(options.Problems());
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeStore_NamesTheDatabase_NeverThePassword()
    {
        var options = Options("postgres", $"Host=db.example.org;Port=5433;Database=hotline;Username=hl;Password={Password}");

        var described = options.DescribeStore();

        Assert.Equal("PostgreSQL database hotline at db.example.org:5433 as hl", described);
    }

    [Fact]
    public void Build_WithPostgresAndNoConnectionString_FailsBeforeAnythingOpens_NamingTheSetting()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-storeopt-" + Guid.NewGuid().ToString("N"));

        var refused = Assert.Throws<InvalidOperationException>(() => HotlineHost.Build(
            ["--urls", "http://127.0.0.1:0", "--Hotline:DataDirectory", dataDirectory, "--Hotline:Store", "postgres"]));

        Assert.Contains("Hotline:Postgres:ConnectionString is not set", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dataDirectory), "nothing is created for a refused configuration");
    }

    private static StoreOptions Options(string? store, string? connectionString)
    {
        var options = new StoreOptions { Postgres = new PostgresOptions { ConnectionString = connectionString } };
        if (store is not null)
        {
            options.Store = store;
        }
        return options;
    }
}
