import HubKernel

/// `betting.state {table}` → `{round, serverTime, myBets, balance}`: everything a player's page
/// needs after a load, a reload or a reconnect (modules.md pins `round: {id, phase, phaseEndsAt,
/// commitment}`; the round also carries its table, number, and once settled its result and seed).
struct BettingState: CommandHandler {
    static let type: CommandType = "betting.state"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable { var table: String }
    struct Reply: Encodable, Sendable {
        var round: RoundView?
        var serverTime: Int64
        var myBets: [BetView]
        var balance: Money
    }

    let rounds: RoundStore
    let wallets: WalletStore
    let configuration: BettingConfiguration

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        try configuration.requireTable(payload.table)
        let user = context.identity.userID
        let round = try await rounds.current(payload.table)
        var bets: [BetView] = []
        if let round { bets = try await rounds.bets(of: user, in: round.id) }
        return Reply(round: round?.view, serverTime: context.clock.nowMs(), myBets: bets, balance: try await wallets.balance(of: user))
    }
}
