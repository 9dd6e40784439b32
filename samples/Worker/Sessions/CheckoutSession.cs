using Persistence;

namespace Worker.Sessions;

/// <summary>
/// A customer's checkout session: short-lived state that should clean itself up. The generator makes
/// <see cref="CheckoutSessionCollection"/> with <c>ByCustomer</c>. Sessions expire <c>DefaultTimeToLive</c> after they
/// are written (<c>Persistence:Collections:sessions</c> in appsettings.json): from that instant no read returns them,
/// and the TTL collector removes them in the background.
/// </summary>
[Collection("sessions")]
public partial class CheckoutSession
{
    [PrimaryKey]
    public Guid Id { get; init; }

    [Index]
    public required string Customer { get; set; }

    public DateTimeOffset OpenedAt { get; set; }

    /// <summary>
    /// When this session expires. Null (as the worker leaves it): the collection's configured lifetime applies. Set it
    /// to give one session a lifetime of its own.
    /// </summary>
    [ExpiresAt]
    public DateTimeOffset? ExpiresAt { get; set; }
}
