using Nats.Core.Config;
using Nats.Core.Security;

namespace Nats.Core.Tests.Security;

/// <summary>The authenticator chain's order: the default one, and <c>authorization { chain }</c> moving named links to the front.</summary>
[TestFixture]
public sealed class AuthChainOrderTests
{
    private static AuthOptions Options(params string[] chain) => new()
    {
        Users = [new UserConfig { Username = "a", Password = "b" }],
        NKeys = [new NKeyUserConfig { PublicKey = NKeyPair.Create(NKeyPrefix.User).PublicKey }],
        Chain = [.. chain],
    };

    [Test]
    public void Named_links_go_first_in_the_given_order_and_the_rest_keep_theirs()
    {
        using var bcrypt = new BcryptWorker();
        Assert.That(new AuthService(Options(), [], bcrypt, _ => false).Names, Is.EqualTo(new[] { "nkey", "tls-map", "user" }));
        Assert.That(new AuthService(Options("user"), [], bcrypt, _ => false).Names, Is.EqualTo(new[] { "user", "nkey", "tls-map" }));
        Assert.That(new AuthService(Options("USER", "tls-map"), [], bcrypt, _ => false).Names, Is.EqualTo(new[] { "user", "tls-map", "nkey" }));
    }

    [Test]
    public void A_name_that_is_not_in_force_is_refused()
    {
        using var bcrypt = new BcryptWorker();
        Assert.That(() => new AuthService(Options("token"), [], bcrypt, _ => false), Throws.InstanceOf<ConfigurationException>()
            .With.Message.EqualTo("authorization chain names \"token\", which is not an authenticator in force (in force: nkey, tls-map, user)"));
    }
}
