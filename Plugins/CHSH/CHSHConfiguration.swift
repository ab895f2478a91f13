public import Configuration
public import HubKernel

/// The CHSH module's settings, under `modules.chsh.*` (`MODULES_CHSH_*`).
public struct CHSHConfiguration: Sendable {
    /// At most this many dashboards a second per game (`dashboardMaxHz`, default 4, 1–50).
    public var dashboardMaxHz: Int
    /// How often the dashboard feed looks for changed games (`dashboardTickMs`, default 50).
    public var dashboardTickMs: Int

    /// Reads and checks the settings; a bad one stops start-up naming it.
    public init(config: ConfigReader) throws {
        dashboardMaxHz = config.int(forKey: "dashboardMaxHz", default: 4)
        guard (1...50).contains(dashboardMaxHz) else { throw ConfigurationError("MODULES_CHSH_DASHBOARD_MAX_HZ must be from 1 to 50") }
        dashboardTickMs = config.int(forKey: "dashboardTickMs", default: 50)
        guard (5...1000).contains(dashboardTickMs) else { throw ConfigurationError("MODULES_CHSH_DASHBOARD_TICK_MS must be from 5 to 1000") }
    }
}
