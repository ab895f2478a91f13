import Synchronization

/// Limits password guesses at one account, wherever they come from, without letting a
/// guesser lock its owner out.
///
/// The per-address limit of `POST /auth/login` stops one machine; ten machines made a hundred
/// guesses at one account in ten seconds. So every attempt on a username also takes from that
/// username's bucket (`RATE_LIMIT_AUTH_LOGIN_ACCOUNT`, 10 per 5 minutes by default), and an
/// empty bucket answers 429 before the password is checked. A bucket refills by itself, and an
/// address that has signed in to the account before (the last few per account, remembered in
/// memory) is exempt from it: a guesser elsewhere can slow the account's attackers, not its
/// owner at home. Memory is bounded: at most ``maxAccounts`` accounts are remembered.
final class LoginGuard: Sendable {
    /// The default per-account limit.
    static let defaultLimit = RateLimit(10, per: .seconds(300), scope: .user)
    /// Addresses remembered per account.
    static let addressesPerAccount = 4
    /// Accounts whose addresses are remembered; the oldest are forgotten beyond it.
    static let maxAccounts = 50_000

    private struct Known {
        var addresses: [String: [String]] = [:]
        var order: [String] = []
    }
    private let known = Mutex(Known())
    private let limiter: any RateLimiter
    private let limit: RateLimit

    init(limiter: any RateLimiter, limit: RateLimit?) {
        self.limiter = limiter
        self.limit = limit ?? Self.defaultLimit
    }

    /// Takes one attempt on `username` from `address`.
    /// - Throws: `rate_limited` when the account's bucket is empty and the address is new to it.
    func attempt(_ username: String, from address: String, nowMs: Int64) throws(HubError) {
        let account = username.lowercased()
        if known.withLock({ $0.addresses[account]?.contains(address) ?? false }) { return }
        if let wait = limiter.acquire("auth.login|account|\(account)", limit: limit, nowMs: nowMs) {
            throw HubError(.rateLimited, "too many sign-in attempts for this account; try again later", retryAfterMs: wait)
        }
    }

    /// Remembers that `address` signed in to `username`.
    func succeeded(_ username: String, from address: String) {
        let account = username.lowercased()
        known.withLock { known in
            var addresses = known.addresses[account] ?? []
            if addresses.contains(address) { return }
            if known.addresses[account] == nil {
                known.order.append(account)
                if known.order.count > Self.maxAccounts {
                    let dropped = known.order.prefix(known.order.count / 10)
                    for old in dropped { known.addresses.removeValue(forKey: old) }
                    known.order.removeFirst(dropped.count)
                }
            }
            addresses.append(address)
            if addresses.count > Self.addressesPerAccount { addresses.removeFirst() }
            known.addresses[account] = addresses
        }
    }
}
