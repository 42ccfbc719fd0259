using System.Reflection;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Auth;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations;

/// <summary>
/// The one operation contract: every operation a command runs is an <see cref="IOperation{TRequest, TResult}"/> with
/// no other way to run it, and <see cref="OperationRunner"/> hands back what a run wrote, in order.
/// </summary>
public sealed class OperationContractTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public void Every_public_operation_has_the_one_contract_and_no_other_RunAsync()
    {
        Type[] operations = typeof(IOperation<,>).Assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.Name.EndsWith("Operation", StringComparison.Ordinal)).ToArray();
        // One per cmdlet (and CLI command).
        Assert.Equal(new[] { "ConnectSmtpOperation", "DisconnectSmtpOperation", "GetMxEndpointOperation", "GetSmtpConnectionOperation",
            "NewRelayConnectorPlanOperation", "NewSmtpAppAccessPlanOperation", "SendMailOperation", "TestGraphSendOperation",
            "TestMailDomainOperation", "TestSmtpAuthOperation" }, operations.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal));
        foreach (Type t in operations)
        {
            Type contract = Assert.Single(t.GetInterfaces(), i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IOperation<,>));
            MethodInfo run = Assert.Single(t.GetMethods(BindingFlags.Public | BindingFlags.Instance), m => m.Name == "RunAsync");
            Type[] args = contract.GetGenericArguments();
            Assert.Equal(new[] { args[0], typeof(IOperationHost<>).MakeGenericType(args[1]), typeof(CancellationToken) },
                run.GetParameters().Select(p => p.ParameterType));
            Assert.Equal(typeof(Task), run.ReturnType);
        }
    }

    private static async Task<SmtpConnectionRegistry> TwoConnections()
    {
        var registry = new SmtpConnectionRegistry();
        var connect = new ConnectSmtpOperation(registry);
        foreach (string name in new[] { "Scanner", "Erp" })
        {
            // An access token given directly: connecting needs no token service and no network.
            string token = TestJwt.Delegated($"{name.ToLowerInvariant()}@contoso.com", DateTimeOffset.UtcNow.AddHours(1));
            await connect.RunForResultAsync(new ConnectSmtpRequest { AccessToken = SecretText.ToSecureString(token), Name = name },
                new RecordingHost(), Ct);
        }
        return registry;
    }

    [Fact]
    public async Task CollectAsync_returns_the_results_and_the_per_item_errors_in_the_order_written()
    {
        SmtpConnectionRegistry registry = await TwoConnections();
        OperationRun<SmtpConnection> run = await new GetSmtpConnectionOperation(registry).CollectAsync(
            new GetSmtpConnectionRequest { Name = new[] { "Erp", "Missing", "Scanner", "Gone" } }, new RecordingHost(), Ct);
        Assert.Equal(new[] { "Erp", "Scanner" }, run.Results.Select(c => c.Name));
        Assert.Equal(new[] { "ConnectionNotFound", "ConnectionNotFound" }, run.Errors.Select(e => e.ErrorId));
        Assert.Contains("'Missing'", run.Errors[0].Message);
        Assert.Contains("'Gone'", run.Errors[1].Message);
    }

    [Fact]
    public async Task RunForResultAsync_returns_the_one_result_and_throws_a_per_item_error_or_a_count_other_than_one()
    {
        SmtpConnectionRegistry registry = await TwoConnections();
        var get = new GetSmtpConnectionOperation(registry);
        Assert.Equal("Erp", (await get.RunForResultAsync(new GetSmtpConnectionRequest { Name = new[] { "Erp" } }, null, Ct)).Name);

        M365SmtpException missing = await Assert.ThrowsAsync<M365SmtpException>(() =>
            get.RunForResultAsync(new GetSmtpConnectionRequest { Name = new[] { "Erp", "Missing" } }, null, Ct));
        Assert.Equal("ConnectionNotFound", missing.ErrorId);

        var two = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            get.RunForResultAsync(new GetSmtpConnectionRequest(), null, Ct));
        Assert.Equal("The operation wrote 2 results where one was expected.", two.Message);
    }

    [Fact]
    public async Task The_host_passes_the_common_calls_through_and_results_and_errors_to_their_callbacks()
    {
        var inner = new RecordingHost { ShouldProcessAnswer = false };
        var results = new List<SmtpConnection>();
        var errors = new List<M365SmtpException>();
        SmtpConnectionRegistry registry = await TwoConnections();
        // Disconnect asks ShouldProcess through the host: answered no, nothing is removed or written.
        await new DisconnectSmtpOperation(registry).RunAsync(new DisconnectSmtpRequest { Name = new[] { "Erp", "Nope" } },
            new OperationHost<SmtpConnection>(inner, results.Add, errors.Add), Ct);
        Assert.Single(inner.ShouldProcessCalls);
        Assert.Empty(results);
        Assert.Equal("ConnectionNotFound", Assert.Single(errors).ErrorId);
        Assert.Equal(2, registry.Count);
        Assert.Throws<ArgumentNullException>(() => new OperationHost<SmtpConnection>(inner, null!, errors.Add));
    }
}
