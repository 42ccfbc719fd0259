using System;
using System.Linq;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>What a Test-M365SmtpAuth run will do: the server, the auth method or session connection, the recipients and the last
    /// stage.</summary>
    internal sealed class SmtpAuthTestPlan
    {
        public string Host = "";
        public int Port;
        public SmtpAuthMethod? Method;
        public SmtpConnection? Session;
        public SmtpTestStage Last;
        public string[] To = Array.Empty<string>();

        /// <summary>Checks the request (before anything connects) and decides what the run will do.</summary>
        public static SmtpAuthTestPlan Prepare(TestSmtpAuthRequest request, IOperationHost host, SmtpConnectionRegistry registry)
        {
            var plan = new SmtpAuthTestPlan();
            if (request.TimeoutSeconds < 1 || request.TimeoutSeconds > 3600)
                throw SmtpAuthOptions.Invalid(RequestErrorCodes.TimeoutOutOfRange, "TimeoutSeconds",
                    $"-TimeoutSeconds {request.TimeoutSeconds} is out of range.", "Give 1 to 3600 seconds (default 30).");
            if (request.Port < 0 || request.Port > 65535)
                throw SmtpAuthOptions.Invalid(RequestErrorCodes.PortOutOfRange, "Port",
                    $"-Port {request.Port} is not a TCP port.", "Use 587 (STARTTLS submission) or 25.");
            plan.To = (request.To ?? Array.Empty<string>()).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToArray();
            if (request.SendTestMessage && plan.To.Length == 0)
                throw SmtpAuthOptions.Invalid(RequestErrorCodes.ToMissing, "To",
                    "-SendTestMessage needs -To: the recipients of the test message.", "Add -To with one or more addresses.");
            if (request.StopAfter == SmtpTestStopAfter.RcptTo && plan.To.Length == 0)
                throw SmtpAuthOptions.Invalid(RequestErrorCodes.ToMissing, "To",
                    "-StopAfter RcptTo needs -To: the recipients to try.", "Add -To with one or more addresses.");
            if (request.SendTestMessage && request.StopAfter != null)
                throw SmtpAuthOptions.Invalid(RequestErrorCodes.StopAfterWithSendTestMessage, "StopAfter",
                    "-StopAfter and -SendTestMessage contradict each other: the test message goes past every stage.",
                    "Remove one of them.");

            if (request.SpecifiesAuthMethod())
            {
                SmtpAuthMethod method = request.Validate();
                if (method.IsDelegated() && !host.IsInteractive) throw TokenProviderFactory.NonInteractiveDelegated(method);
                plan.Method = method;
                if (!string.IsNullOrWhiteSpace(request.ConnectionName))
                    throw SmtpAuthOptions.ConnectionNameNotApplicable("auth parameters were given too");
            }
            else if (!string.IsNullOrWhiteSpace(request.ConnectionName))
                plan.Session = registry.Get(request.ConnectionName);
            else
                plan.Session = registry.TryGet(null);
            if (plan.Session != null)
            {
                if (plan.Session.IsClosed)
                    throw new M365SmtpException(AuthErrorCodes.ConnectionClosed, $"The connection '{plan.Session.Name}' was disconnected.")
                    { TargetObject = plan.Session.Name, RecommendedAction = "Run Connect-M365Smtp again." };
                plan.Method = plan.Session.Method;
            }

            CloudEnvironment cloud = request.ResolveCloud();
            plan.Host = !string.IsNullOrWhiteSpace(request.SmtpServer) ? request.SmtpServer!.Trim()
                : plan.Session?.SmtpHost ?? cloud.SmtpHost;
            plan.Port = request.Port > 0 ? request.Port : plan.Session?.Port ?? 587;
            plan.Last = request.SendTestMessage ? SmtpTestStage.Message
                : request.StopAfter switch
                {
                    SmtpTestStopAfter.Connect => SmtpTestStage.Connect,
                    SmtpTestStopAfter.Tls => SmtpTestStage.Tls,
                    SmtpTestStopAfter.Ehlo => SmtpTestStage.Ehlo,
                    SmtpTestStopAfter.Auth => SmtpTestStage.Auth,
                    SmtpTestStopAfter.MailFrom => SmtpTestStage.MailFrom,
                    SmtpTestStopAfter.RcptTo => SmtpTestStage.RcptTo,
                    _ => plan.To.Length > 0 ? SmtpTestStage.RcptTo
                        : !string.IsNullOrWhiteSpace(request.From) ? SmtpTestStage.MailFrom : SmtpTestStage.Auth,
                };
            return plan;
        }
    }
}
