import HubKernel

/// `betting.settled {roundId, bets, balance}` on `user:<id>` (modules.md): the player's bets of
/// a round as they settled (won, lost, or refunded when the round was voided) and the balance after.
struct BetsSettled: HubEvent {
    typealias Module = BettingModule
    static let name = "settled"
    var roundId: String
    var bets: [BetView]
    var balance: Money
}
