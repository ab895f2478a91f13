/// A bet as clients see it (modules.md pins `{id, roundId, type, selection, amount, status, payout?}`).
public struct BetView: Encodable, Sendable, Equatable {
    /// The bet's id.
    public var id: String
    /// The round it is on.
    public var roundId: String
    /// `number`, `size` or `parity`.
    public var type: String
    /// `0`–`9`, `small`/`big`, `odd`/`even`.
    public var selection: String
    /// The stake.
    public var amount: Money
    /// `pending`, then `won`, `lost` or `refunded`.
    public var status: String
    /// What was credited when it settled (absent while pending).
    public var payout: Money?
    /// When it was placed.
    public var createdAt: Int64
}

/// One movement of a wallet (`{id, kind, amount, balanceAfter, createdAt}`): `amount` is
/// signed, debits negative.
public struct LedgerEntryView: Encodable, Sendable, Equatable {
    /// The entry's id.
    public var id: String
    /// `deposit`, `bet`, `payout`, `refund` or `adjustment`.
    public var kind: String
    /// The signed amount.
    public var amount: Money
    /// The balance right after it.
    public var balanceAfter: Money
    /// What it refers to: the payment id, the bet id, or the adjustment's id.
    public var reference: String
    /// An adjustment's reason.
    public var reason: String?
    /// When it happened.
    public var createdAt: Int64
}

/// A round as clients see it. The seed is shown only once the round is settled.
public struct RoundView: Encodable, Sendable, Equatable {
    /// The round's id: the HMAC message of its draw.
    public var id: String
    /// Its table.
    public var table: String
    /// Its number at that table, from 1.
    public var number: Int64
    /// `betting`, `locked`, `settled` or `voided`.
    public var phase: String
    /// When the current phase ends (for `settled`: when the next round opens).
    public var phaseEndsAt: Int64
    /// SHA-256 of the seed, published when the round opens.
    public var commitment: String
    /// The result, once settled.
    public var result: Int?
    /// The seed, once settled.
    public var serverSeed: String?
}
