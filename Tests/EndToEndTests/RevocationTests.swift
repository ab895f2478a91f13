import Testing
import HubKernel
import HubTesting
@testable import Switchboard

/// Revoking a session or changing a role reaches live credentials (#17 item 6): the account's
/// sockets close with 4001 and its earlier access tokens are refused, also after a restart;
/// a fresh sign-in works at once.
@Suite("Revocation")
struct RevocationTests {
    @Test("logout closes the account's sockets with 4001 and refuses its earlier access tokens; signing in again works")
    func logout() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            let pair = try await http.post("/auth/register", ["username": "leaver", "password": "password123"]).body
            let token = try #require(pair["accessToken"].string)
            let phone = try await hub.connect(accessToken: token)
            let laptop = try await hub.connect(accessToken: token)
            let bystander = try await hub.client()
            #expect(try await http.post("/auth/logout", ["refreshToken": pair["refreshToken"]]).status == 200)
            #expect(try await phone.expectClose() == 4001)
            #expect(try await laptop.expectClose() == 4001)
            #expect(try await http.get("/ws", token: token, headers: upgrade).status == 401, "the old token no longer opens /ws")
            #expect(try await http.get("/admin/features", token: token).status == 401)
            #expect(try await bystander.send("hub.auth", ["accessToken": .string(token)]).error?.code == .unauthorized, "nor re-authenticates a socket")
            #expect(try await bystander.send("hub.ping", [:]).ok, "other accounts go on")
            let again = try await http.post("/auth/login", ["username": "leaver", "password": "password123"])
            let fresh = try await hub.connect(accessToken: try #require(again.body["accessToken"].string))
            #expect(try await fresh.send("hub.ping", [:]).ok, "a new sign-in works at once")
        }
    }

    @Test("a demoted admin loses admin rights at once: sockets closed, the old token refused, no self-promotion")
    func demotion() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            _ = try await hub.hub.accounts.createUser(username: "mallory", password: "password123", displayName: nil, role: .admin)
            let mallory = try #require(try await http.post("/auth/login", ["username": "mallory", "password": "password123"]).body["accessToken"].string)
            let socket = try await hub.connect(accessToken: mallory)
            let boss = try await hub.client(role: .admin)
            #expect(try await http.put("/admin/users/mallory/role", ["role": "user"], token: boss.accessToken).status == 200)
            #expect(try await socket.expectClose() == 4001)
            #expect(try await http.put("/admin/users/mallory/role", ["role": "admin"], token: mallory).status == 401, "the old admin token is refused")
            let relogin = try await http.post("/auth/login", ["username": "mallory", "password": "password123"])
            #expect(relogin.body["user"]["role"] == "user")
            #expect(try await http.put("/admin/users/mallory/role", ["role": "admin"], token: relogin.body["accessToken"].string).status == 403)
        }
    }

    @Test("a reused refresh token revokes the account's access tokens, the thief's included") func reuse() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            let first = try await http.post("/auth/register", ["username": "victim", "password": "password123"]).body
            let rotated = try await http.post("/auth/refresh", ["refreshToken": first["refreshToken"]]).body
            let thiefSocket = try await hub.connect(accessToken: try #require(rotated["accessToken"].string))
            #expect(try await http.post("/auth/refresh", ["refreshToken": first["refreshToken"]]).status == 401)
            #expect(try await thiefSocket.expectClose() == 4001)
            #expect(try await http.get("/ws", token: rotated["accessToken"].string, headers: upgrade).status == 401)
        }
    }

    @Test("a restart keeps revocations: a token refused before is refused after") func restart() async throws {
        try await TestDatabase.withRestartable { store in
            let token: String = try await TestHub.run(modules: Catalog.modules, .live, database: store) { hub in
                let http = HTTP(baseURL: hub.baseURL!)
                let pair = try await http.post("/auth/register", ["username": "restarter", "password": "password123"]).body
                #expect(try await http.post("/auth/logout", ["refreshToken": pair["refreshToken"]]).status == 200)
                return try #require(pair["accessToken"].string)
            }
            try await TestHub.run(modules: Catalog.modules, .live, database: store) { hub in
                let http = HTTP(baseURL: hub.baseURL!)
                #expect(try await http.get("/ws", token: token, headers: upgrade).status == 401)
                let login = try await http.post("/auth/login", ["username": "restarter", "password": "password123"])
                #expect(try await http.get("/ws", token: login.body["accessToken"].string).status == 400,
                        "a token issued after the revocation is admitted (400 only because this request is no upgrade)")
            }
        }
    }
}
