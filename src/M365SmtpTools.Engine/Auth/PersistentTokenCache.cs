using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensions.Msal;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// Binds an MSAL token cache to the platform's protected store (DPAPI on Windows, the Keychain on macOS, the
    /// Secret Service keyring on Linux). Never falls back to a plain file: without a protected store it fails.
    /// </summary>
    internal static class PersistentTokenCache
    {
        public static async Task AttachAsync(ITokenCache cache, IdentityClientOptions options, string partition)
        {
            string dir = options.PersistentCacheDirectory
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "M365SmtpTools");
            string name = options.PersistentCacheName;
            try
            {
                Directory.CreateDirectory(dir);
                StorageCreationProperties props = new StorageCreationPropertiesBuilder($"{name}.{partition}.msalcache", dir)
                    .WithLinuxKeyring($"com.m365smtptools.{name}.tokencache", MsalCacheHelper.LinuxKeyRingDefaultCollection,
                        $"{name} token cache ({partition})",
                        new KeyValuePair<string, string>("Product", name), new KeyValuePair<string, string>("Partition", partition))
                    .WithMacKeyChain($"{name}.tokencache", partition)
                    .Build();
                MsalCacheHelper helper = await MsalCacheHelper.CreateAsync(props).ConfigureAwait(false);
                helper.VerifyPersistence();
                helper.RegisterCache(cache);
            }
            catch (Exception e) when (!(e is M365SmtpException))
            {
                throw new M365SmtpException(TokenErrorCodes.TokenCachePersistenceUnavailable,
                    "-PersistTokenCache needs the platform's protected store (DPAPI on Windows, the Keychain on macOS, " +
                        "a Secret Service keyring such as gnome-keyring on Linux), and it is not usable here; " +
                        "the token is never written to a plain file.", e)
                {
                    TargetObject = "PersistTokenCache",
                    ParameterName = "PersistTokenCache",
                    RecommendedAction = "Run without -PersistTokenCache (the token is then cached in memory for this session), or " +
                        "unlock/install a keyring (libsecret with a running Secret Service).",
                };
            }
        }
    }
}
