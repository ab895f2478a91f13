import Configuration
import HubKernel
import Testing
@testable import CHSH

@Suite("CHSH settings")
struct CHSHConfigurationTests {
    func settings(_ env: [String: String]) throws -> CHSHConfiguration {
        try CHSHConfiguration(config: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: env)))
    }

    @Test("defaults match modules.md") func defaults() throws {
        let defaults = try settings([:])
        #expect(defaults.dashboardMaxHz == 4 && defaults.dashboardTickMs == 50)
        #expect(try settings(["DASHBOARD_MAX_HZ": "10"]).dashboardMaxHz == 10)
    }

    @Test("a bad setting stops start-up naming it", arguments: [
        (["DASHBOARD_MAX_HZ": "0"], "DASHBOARD_MAX_HZ"), (["DASHBOARD_MAX_HZ": "51"], "DASHBOARD_MAX_HZ"),
        (["DASHBOARD_TICK_MS": "1"], "DASHBOARD_TICK_MS"),
    ])
    func refused(env: [String: String], name: String) {
        do {
            _ = try settings(env)
            Issue.record("\(env) was accepted")
        } catch {
            #expect(String(describing: error).contains(name), "\(error)")
        }
    }
}
