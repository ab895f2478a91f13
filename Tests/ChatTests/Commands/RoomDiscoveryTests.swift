import Foundation
import HubKernel
import HubTesting
import Testing
@testable import Chat

/// How a person learns of rooms they did not join: a DM opened by username, `chat.room` on
/// their user topic when someone else makes them a member, and the names of the people in
/// their private rooms and DMs in `chat.rooms`.
@Suite("chat: finding rooms and people")
struct RoomDiscoveryTests {
    @Test("chat.openDm by username: case-insensitive; unknown is not_found; oneself and both fields are validation_failed")
    func openByUsername() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client(name: "Alice")
            let bob = try await hub.client(name: "Bob")
            let bobName = try #require(try await hub.hub.accounts.user(id: bob.identity.userID)?.username)
            let aliceName = try #require(try await hub.hub.accounts.user(id: alice.identity.userID)?.username)
            let opened = try await alice.send("chat.openDm", ["username": .string(bobName.uppercased())])
            #expect(opened.data["room"]["name"].string == "dm:\([alice.identity.userID, bob.identity.userID].sorted().joined(separator: ":"))", "\(opened)")
            #expect(try await alice.send("chat.openDm", ["username": "nobody-here"]).error?.code == .notFound)
            #expect(try await alice.send("chat.openDm", ["username": .string(aliceName)]).error?.field == "username")
            #expect(try await alice.send("chat.openDm", ["username": .string(bobName), "userId": .string(bob.identity.userID)]).error?.code == .validationFailed)
            #expect(try await alice.send("chat.openDm", [:]).error?.field == "userId")
            #expect(try await alice.send("chat.openDm", ["username": .string(String(repeating: "x", count: 33))]).error?.field == "username")
        }
    }

    @Test("the other person hears chat.room on their user topic when a DM is opened or a private room lists them, once")
    func roomAdded() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: ["RATE_LIMIT_CHAT_OPEN_DM": "off"]) { hub in
            let alice = try await hub.client(name: "Alice")
            let bob = try await hub.client(name: "Bob")
            let carol = try await hub.client(name: "Carol")
            let dm = try await alice.send("chat.openDm", ["userId": .string(bob.identity.userID)]).data["room"]
            let heard = try await bob.expectEvent("chat.room", on: "user:\(bob.identity.userID)")
            #expect(heard.data["room"] == dm)
            try await alice.expectNoEvent("chat.room", settle: .milliseconds(50))
            _ = try await alice.send("chat.openDm", ["userId": .string(bob.identity.userID)])
            try await bob.expectNoEvent("chat.room", settle: .milliseconds(50))
            _ = try await bob.send("chat.leave", ["room": dm["name"]])
            _ = try await alice.send("chat.openDm", ["userId": .string(bob.identity.userID)])
            _ = try await bob.expectEvent("chat.room")
            let made = try await alice.send("chat.createRoom", ["room": "plans", "visibility": "private",
                                                                "members": [.string(bob.identity.userID), .string(carol.identity.userID)]])
            #expect(try await carol.expectEvent("chat.room").data["room"] == made.data["room"])
            #expect(try await bob.expectEvent("chat.room").data["room"]["name"] == "plans")
            try await alice.expectNoEvent("chat.room", settle: .milliseconds(50))
        }
    }

    @Test("chat.rooms names the members of private rooms and DMs") func names() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client(name: "Alice")
            let bob = try await hub.client(name: "Bob <b>")
            _ = try await alice.send("chat.openDm", ["userId": .string(bob.identity.userID)])
            try await alice.join("general")
            let rooms = try await alice.send("chat.rooms", [:])
            #expect(rooms.data["names"] == .object([alice.identity.userID: "Alice", bob.identity.userID: "Bob <b>"]), "\(rooms)")
            let carol = try await hub.client(name: "Carol")
            try await carol.join("general")
            #expect(try await carol.send("chat.rooms", [:]).data["names"] == .object([:]), "public rooms list no members")
        }
    }
}
