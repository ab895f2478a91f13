import Testing
import HubTesting
@testable import HubKernel

@Suite("The user directory modules read accounts through")
struct UserDirectoryTests {
    @Test("lookups by id and username, display names and existence in bulk, users of a role") func lookups() async throws {
        try await TestHub.run(modules: []) { hub in
            let accounts = hub.hub.accounts
            let ada = try await accounts.createUser(username: "ada", password: "password-1", displayName: "Ada L.", role: .agent)
            let bob = try await accounts.createUser(username: "bob", password: "password-2", displayName: "Bob", role: .user)
            let guest = try await accounts.guest(displayName: "Visitor").user
            let users: any UserDirectory = AccountStore(database: hub.hub.database)
            #expect(try await users.user(id: ada.id) == ada)
            #expect(try await users.user(username: "bob") == bob)
            #expect(try await users.user(username: "nobody") == nil)
            #expect(try await users.displayNames(of: [ada.id, guest.id, "ghost", ada.id]) == [ada.id: "Ada L.", guest.id: "Visitor"])
            #expect(try await users.displayNames(of: []) == [:])
            #expect(try await users.existing([bob.id, "ghost"]) == [bob.id])
            #expect(try await users.users(withRole: .agent, limit: 10).map(\.id) == [ada.id])
            #expect(try await users.users(withRole: .guest, limit: 10).map(\.id) == [guest.id])
        }
    }
}
