import ArgumentParser
import Betting
import HubKernel

/// `switchboard betting reconcile`: checks the betting books of the configured database and
/// exits non-zero on any mismatch, for an operator or a cron job (the same check as
/// `GET /betting/reconcile`, without a running server).
struct BettingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "betting", abstract: "Operate the betting module.", subcommands: [Reconcile.self])

    /// `switchboard betting reconcile`.
    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every wallet against its ledger and every closed round for pending bets; exit 1 on any problem.")

        @OptionGroup var options: CommonOptions

        func run() async throws {
            let logger = LogSetup.bootstrap()
            try await withHub(options: options, logger: logger) { hub in
                guard let betting = hub.modules.compactMap({ $0 as? BettingModule }).first else {
                    print("the betting module is not loaded (MODULES_ENABLED)")
                    throw ExitCode(2)
                }
                let problems = try await betting.reconcile()
                if problems.isEmpty {
                    print("ok: every wallet equals its ledger; no closed round has a pending bet")
                    return
                }
                problems.forEach { print($0) }
                throw ExitCode(1)
            }
        }
    }
}
