import Configuration
import HubKernel
import Testing
@testable import Betting

@Suite("betting settings")
struct BettingConfigurationTests {
    /// The module's settings from `MODULES_BETTING_*`-style keys, scoped as the kernel scopes them.
    func settings(_ env: [String: String]) throws -> BettingConfiguration {
        try BettingConfiguration(config: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: env)))
    }

    @Test("defaults match modules.md") func defaults() throws {
        let defaults = try settings([:])
        #expect(defaults.tables == ["table-1"])
        #expect(defaults.bettingPhaseMs == 40_000 && defaults.lockedPhaseMs == 10_000 && defaults.settledPhaseMs == 5000)
        #expect(defaults.minBet == Money(minorUnits: 100) && defaults.maxBet == Money(minorUnits: 1_000_000))
        #expect(defaults.payoutNumber.description == "9" && defaults.payoutSize.description == "1.9" && defaults.payoutParity.description == "1.9")
        #expect(defaults.webhookSecret == nil)
    }

    @Test("a bad setting stops start-up naming it", arguments: [
        (["TABLES": "Table 1"], "TABLES"), (["TABLES": "a,a"], "TABLES"), (["TABLES": " , "], "TABLES"),
        (["BETTING_PHASE_MS": "50"], "BETTING_PHASE_MS"), (["MIN_BET": "5.505"], "MIN_BET"),
        (["MIN_BET": "20", "MAX_BET": "10"], "MIN_BET"), (["MAX_BET": "1000000.01"], "MAX_BET"), (["MIN_BET": "0"], "MIN_BET"),
        (["PAYOUT_SIZE": "0.9"], "PAYOUT_SIZE"), (["PAYOUT_NUMBER": "9x"], "PAYOUT_NUMBER"), (["CLOCK_TICK_MS": "5"], "CLOCK_TICK_MS"),
    ])
    func refused(env: [String: String], names: String) {
        do {
            _ = try settings(env)
            Issue.record("\(env) was accepted")
        } catch {
            #expect(String(describing: error).contains(names), "\(error)")
        }
    }

    @Test("tables are checked by name") func tables() throws {
        let configured = try settings(["TABLES": "red,blue-2"])
        #expect(configured.tables == ["red", "blue-2"])
        #expect(throws: Never.self) { try configured.requireTable("blue-2") }
        #expect(throws: ValidationFailure.self) { try configured.requireTable("green") }
    }
}
