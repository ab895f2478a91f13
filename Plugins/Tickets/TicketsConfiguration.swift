public import Configuration
public import HubKernel

/// The tickets module's settings, under `modules.tickets.*`: SLA targets per priority, the
/// warning threshold and how often the monitor looks.
public struct TicketsConfiguration: Sendable {
    /// First-response and resolution targets of one priority, in seconds.
    public struct Target: Sendable, Equatable {
        public var firstResponseSeconds: Int
        public var resolutionSeconds: Int
    }

    /// Targets by priority name (`low`, `normal`, `high`, `urgent`).
    public var targets: [String: Target]
    /// A warning is raised when this percent of a target has elapsed.
    public var slaWarningPercent: Int
    /// How often the SLA monitor checks, in milliseconds.
    public var slaCheckIntervalMs: Int

    /// - `slaUrgentFirstResponseSeconds` / `slaUrgentResolutionSeconds` (3600 / 14400),
    ///   `slaHigh…` (14400 / 86400), `slaNormal…` (28800 / 259200), `slaLow…` (86400 / 432000):
    ///   `MODULES_TICKETS_SLA_URGENT_FIRST_RESPONSE_SECONDS` and so on.
    /// - `slaWarningPercent` (int, default 80): `MODULES_TICKETS_SLA_WARNING_PERCENT`, 1…99.
    /// - `slaCheckIntervalMs` (int, default 1000): `MODULES_TICKETS_SLA_CHECK_INTERVAL_MS`, ≥ 50.
    public init(config: ConfigReader) throws {
        let defaults: [(String, Int, Int)] = [("urgent", 3600, 14_400), ("high", 14_400, 86_400), ("normal", 28_800, 259_200), ("low", 86_400, 432_000)]
        var targets: [String: Target] = [:]
        for (priority, firstResponse, resolution) in defaults {
            let key = "sla" + priority.prefix(1).uppercased() + priority.dropFirst()
            let target = Target(firstResponseSeconds: config.int(forKey: ConfigKey([key + "FirstResponseSeconds"]), default: firstResponse),
                                resolutionSeconds: config.int(forKey: ConfigKey([key + "ResolutionSeconds"]), default: resolution))
            guard target.firstResponseSeconds > 0, target.resolutionSeconds > 0 else {
                throw ConfigurationError("MODULES_TICKETS_SLA_\(priority.uppercased())_* targets must be positive seconds")
            }
            targets[priority] = target
        }
        self.targets = targets
        slaWarningPercent = config.int(forKey: "slaWarningPercent", default: 80)
        slaCheckIntervalMs = config.int(forKey: "slaCheckIntervalMs", default: 1000)
        guard (1...99).contains(slaWarningPercent) else { throw ConfigurationError("MODULES_TICKETS_SLA_WARNING_PERCENT must be 1 to 99") }
        guard slaCheckIntervalMs >= 50 else { throw ConfigurationError("MODULES_TICKETS_SLA_CHECK_INTERVAL_MS must be ≥ 50") }
    }

    /// The target of `priority`.
    func target(_ priority: TicketPriority) -> Target { targets[priority.rawValue] ?? Target(firstResponseSeconds: 28_800, resolutionSeconds: 259_200) }
}
