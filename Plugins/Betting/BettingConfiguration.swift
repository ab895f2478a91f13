public import Configuration
import Foundation
public import HubKernel

/// The betting module's settings, under `modules.betting.*` (`MODULES_BETTING_*`).
public struct BettingConfiguration: Sendable {
    /// The tables, each running its own rounds (`tables`, comma-separated; default `table-1`).
    public var tables: [String]
    /// How long bets are taken (`bettingPhaseMs`, default 40000).
    public var bettingPhaseMs: Int64
    /// How long a round is locked before its result is drawn (`lockedPhaseMs`, default 10000).
    public var lockedPhaseMs: Int64
    /// How long a settled round stays on show before the next one opens (`settledPhaseMs`, default 5000).
    public var settledPhaseMs: Int64
    /// The smallest stake (`minBet`, default `"1.00"`).
    public var minBet: Money
    /// The largest stake (`maxBet`, default `"10000.00"`, at most `"1000000.00"`).
    public var maxBet: Money
    /// What a winning number bet pays, stake included (`payoutNumber`, default `9`).
    public var payoutNumber: PayoutMultiplier
    /// What a winning size bet pays (`payoutSize`, default `1.9`).
    public var payoutSize: PayoutMultiplier
    /// What a winning parity bet pays (`payoutParity`, default `1.9`).
    public var payoutParity: PayoutMultiplier
    /// The payment provider's HMAC key (`webhookSecret`); the webhook answers 503 without it.
    public var webhookSecret: String?
    /// How often the round clock looks at the tables (`clockTickMs`, default 200).
    public var clockTickMs: Int

    /// Reads and checks the settings; a bad one stops start-up naming it.
    public init(config: ConfigReader) throws {
        tables = config.string(forKey: "tables", default: "table-1").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !tables.isEmpty, tables.allSatisfy(BettingRules.isTableName), Set(tables).count == tables.count else {
            throw ConfigurationError("MODULES_BETTING_TABLES must list distinct table names of 1 to 32 characters a-z 0-9 _ -")
        }
        bettingPhaseMs = Int64(config.int(forKey: "bettingPhaseMs", default: 40_000))
        lockedPhaseMs = Int64(config.int(forKey: "lockedPhaseMs", default: 10_000))
        settledPhaseMs = Int64(config.int(forKey: "settledPhaseMs", default: 5000))
        guard bettingPhaseMs >= 100, lockedPhaseMs >= 0, settledPhaseMs >= 0 else {
            throw ConfigurationError("MODULES_BETTING_BETTING_PHASE_MS must be ≥ 100 and the locked and settled phases ≥ 0")
        }
        do {
            minBet = try Money(parsing: config.string(forKey: "minBet", default: "1.00"), field: "MODULES_BETTING_MIN_BET")
            maxBet = try Money(parsing: config.string(forKey: "maxBet", default: "10000.00"), field: "MODULES_BETTING_MAX_BET")
        } catch {
            throw ConfigurationError(error.message)
        }
        guard minBet.minorUnits >= 1, minBet <= maxBet, maxBet.minorUnits <= 100_000_000 else {
            throw ConfigurationError("MODULES_BETTING_MIN_BET must be at least 0.01 and at most MAX_BET, which is at most 1000000.00")
        }
        func multiplier(_ key: String, _ fallback: String) throws -> PayoutMultiplier {
            let text = config.string(forKey: ConfigKey([key]), default: fallback)
            guard let value = PayoutMultiplier(text) else {
                throw ConfigurationError("MODULES_BETTING_\(key.uppercasedSnake) must be a decimal from 1 to 1000 with at most 4 fraction digits (it is '\(text)')")
            }
            return value
        }
        payoutNumber = try multiplier("payoutNumber", "9")
        payoutSize = try multiplier("payoutSize", "1.9")
        payoutParity = try multiplier("payoutParity", "1.9")
        webhookSecret = config.string(forKey: "webhookSecret", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
        clockTickMs = config.int(forKey: "clockTickMs", default: 200)
        guard clockTickMs >= 10 else { throw ConfigurationError("MODULES_BETTING_CLOCK_TICK_MS must be ≥ 10") }
    }

    /// Checks that `table` is one of ``tables``.
    /// - Throws: `validation_failed` naming `table`.
    func requireTable(_ table: String) throws(ValidationFailure) {
        guard tables.contains(table) else { throw ValidationFailure("table", "no table '\(table)'; the tables are \(tables.joined(separator: ", "))") }
    }

    /// The multiplier for `selection`'s bet type.
    func multiplier(for selection: BetSelection) -> PayoutMultiplier {
        switch selection {
        case .number: payoutNumber
        case .size: payoutSize
        case .parity: payoutParity
        }
    }
}

private extension String {
    /// `payoutNumber` → `PAYOUT_NUMBER`.
    var uppercasedSnake: String {
        reduce(into: "") { text, character in
            if character.isUppercase { text += "_" }
            text += character.uppercased()
        }
    }
}
