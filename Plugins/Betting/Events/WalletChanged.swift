import HubKernel

/// `betting.wallet {balance, kind}` on `user:<id>`: money arrived or left outside a bet — a
/// deposit through the webhook or an admin's adjustment — so every open page shows the new
/// balance without asking. (Bets and their settlement carry the balance in their own reply and
/// event.)
struct WalletChanged: HubEvent {
    typealias Module = BettingModule
    static let name = "wallet"
    var balance: Money
    var kind: String
}
