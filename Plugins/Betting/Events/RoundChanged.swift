import HubKernel

/// `betting.round {round}` on `betting:<table>`: a round opened, locked, settled or was voided.
/// The phase clock of every player's page runs from it.
struct RoundChanged: HubEvent {
    typealias Module = BettingModule
    static let name = "round"
    var round: RoundView
}
