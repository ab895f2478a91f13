import HubKernel
import Hummingbird

/// `GET /betting/reconcile` (admin) and `switchboard betting reconcile`: checks every wallet against its ledger and every closed
/// round for bets left pending. 200 `{"ok": true, …}` when sound; 409 with the findings when
/// not, so a monitoring probe or `curl --fail` turns any mismatch into a failure.
struct Reconciliation: Sendable {
    struct Finding: Encodable, Sendable {
        var userId: String
        var balance: Money
        var ledgerSum: Money
    }
    struct Report: Encodable, Sendable {
        var ok: Bool
        var wallets: [Finding]
        var halfSettledRounds: [String]
    }

    let wallets: WalletStore
    let rounds: RoundStore
    let authenticator: Authenticator

    func handle(_ request: Request) async throws -> Response {
        _ = try await authenticator.identity(for: request, role: .admin)
        let report = try await check()
        return try JSONResponse.make(report, status: report.ok ? .ok : .conflict)
    }

    /// What is wrong, as lines for people (empty when sound).
    func problems() async throws -> [String] {
        let report = try await check()
        return report.wallets.map { "wallet of user \($0.userId): balance \($0.balance) but the ledger sums to \($0.ledgerSum)" }
            + report.halfSettledRounds.map { "round \($0) is closed with bets still pending" }
    }

    /// What is wrong, if anything.
    func check() async throws -> Report {
        let wallets = try await wallets.mismatches().map {
            Finding(userId: $0.userID, balance: Money(minorUnits: $0.balance), ledgerSum: Money(minorUnits: $0.ledgerSum))
        }
        let rounds = try await rounds.halfSettled()
        return Report(ok: wallets.isEmpty && rounds.isEmpty, wallets: wallets, halfSettledRounds: rounds)
    }
}
