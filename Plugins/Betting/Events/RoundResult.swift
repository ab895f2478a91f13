import HubKernel

/// `betting.result {roundId, result, serverSeed}` on `betting:<table>` (modules.md): the draw
/// and the seed that proves it against the commitment published at the round's opening.
struct RoundResult: HubEvent {
    typealias Module = BettingModule
    static let name = "result"
    var roundId: String
    var result: Int
    var serverSeed: String
}
