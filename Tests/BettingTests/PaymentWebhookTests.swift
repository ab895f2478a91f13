import Crypto
import Foundation
import HubKernel
import HubTesting
import SQLKit
import Testing
@testable import Betting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("the payment webhook")
struct PaymentWebhookTests {
    /// POSTs `body` to the webhook, signed with `secret` unless `signature` is given.
    static func post(_ table: Table, _ body: String, secret: String = Table.secret, signature: String? = nil) async throws -> (Int, JSON) {
        var request = URLRequest(url: URL(string: table.hub.baseURL! + "/betting/webhooks/payment")!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        request.setValue(signature ?? "sha256=" + ProvablyFair.hex(Array(mac)), forHTTPHeaderField: "X-Signature")
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, JSON.parse(String(decoding: data, as: UTF8.self)) ?? .null)
    }

    @Test("a signed deposit is credited once, by payment id") func deposit() async throws {
        try await Table.run(.live) { table in
            let player = try await table.hub.client()
            let username = try #require(try await table.module.users.user(id: player.identity.userID)?.username)
            let body = #"{"paymentId":"pay-1","username":"\#(username)","amount":"12.50"}"#
            let (status, answer) = try await Self.post(table, body)
            #expect(status == 200 && answer["balance"] == "12.50" && answer["repeated"] == false, "\(answer)")
            #expect(try await player.expectEvent("betting.wallet").data["balance"] == "12.50")
            let (again, repeated) = try await Self.post(table, body)
            #expect(again == 200 && repeated["balance"] == "12.50" && repeated["repeated"] == true)
            let (changed, conflict) = try await Self.post(table, #"{"paymentId":"pay-1","username":"\#(username)","amount":"99.00"}"#)
            #expect(changed == 409 && conflict["error"]["code"] == "conflict")
            try await player.expectNoEvent("betting.wallet")  // the repeat credited nothing and said nothing
            #expect(try await table.module.wallets.balance(of: player.identity.userID) == Money(minorUnits: 1250))
            try await table.expectSound()
        }
    }

    @Test("forged, missing or malformed signatures are 401; bad bodies 400; unknown users 404 with no wallet") func refusals() async throws {
        try await Table.run(.live) { table in
            let player = try await table.hub.client()
            let username = try #require(try await table.module.users.user(id: player.identity.userID)?.username)
            let body = #"{"paymentId":"pay-2","username":"\#(username)","amount":"5"}"#
            #expect(try await Self.post(table, body, secret: "not-the-secret").0 == 401)
            #expect(try await Self.post(table, body, signature: "").0 == 401)
            #expect(try await Self.post(table, body, signature: "sha1=abcd").0 == 401)
            #expect(try await Self.post(table, body, signature: "sha256=zz").0 == 401)
            #expect(try await Self.post(table, #"{"paymentId":"pay-3","username":"\#(username)","amount":"5.555"}"#).1["error"]["field"] == "amount")
            #expect(try await Self.post(table, #"{"paymentId":"pay-3","username":"\#(username)","amount":5}"#).1["error"]["field"] == "amount")
            #expect(try await Self.post(table, "[1]").0 == 400)
            let (status, answer) = try await Self.post(table, #"{"paymentId":"pay-4","username":"nobody-at-all","amount":"5"}"#)
            #expect(status == 404 && answer["error"]["code"] == "not_found")
            #expect(try await table.module.wallets.balance(of: player.identity.userID) == .zero)
            #expect(try await table.module.wallets.mismatches().isEmpty)
        }
    }

    @Test("without a configured secret the webhook answers 503") func unconfigured() async throws {
        try await Table.run(.live, environment: ["MODULES_BETTING_WEBHOOK_SECRET": ""]) { table in
            let (status, answer) = try await Self.post(table, #"{"paymentId":"p","username":"x","amount":"1"}"#)
            #expect(status == 503 && answer["error"]["code"] == "unavailable")
        }
    }

    @Test("signature check: exact HMAC-SHA256 of the raw body, hex in either case") func verify() {
        let body = Data(#"{"a":1}"#.utf8)
        let mac = ProvablyFair.hex(Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data("k".utf8)))))
        #expect(PaymentWebhook.verify(signature: "sha256=" + mac, body: body, secret: "k"))
        #expect(PaymentWebhook.verify(signature: "sha256=" + mac.uppercased(), body: body, secret: "k"))
        #expect(!PaymentWebhook.verify(signature: "sha256=" + mac, body: Data(#"{"a":2}"#.utf8), secret: "k"))
        #expect(!PaymentWebhook.verify(signature: mac, body: body, secret: "k"))
        #expect(!PaymentWebhook.verify(signature: "sha256=" + mac.dropLast(2), body: body, secret: "k"))
    }
}

@Suite("reconciliation")
struct ReconciliationTests {
    static func get(_ table: Table, token: String?) async throws -> (Int, JSON) {
        var request = URLRequest(url: URL(string: table.hub.baseURL! + "/betting/reconcile")!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, JSON.parse(String(decoding: data, as: UTF8.self)) ?? .null)
    }

    @Test("admins see a sound book as 200, a tampered wallet as 409 naming it; others are refused") func reconcile() async throws {
        try await Table.run(.live) { table in
            let admin = try await table.hub.client(role: .admin)
            let player = try await table.hub.client()
            try await table.fund(player, "10")
            #expect(try await Self.get(table, token: nil).0 == 401)
            #expect(try await Self.get(table, token: player.accessToken).0 == 403)
            let (status, report) = try await Self.get(table, token: admin.accessToken)
            #expect(status == 200 && report["ok"] == true && report["wallets"] == [])
            // a balance changed behind the ledger's back (as a bad migration or a hand edit would)
            try await table.hub.hub.database.withConnection { sql in
                try await sql.raw("UPDATE betting_wallets SET balance = balance + 1 WHERE user_id = \(bind: player.identity.userID)").run()
            }
            let (tampered, findings) = try await Self.get(table, token: admin.accessToken)
            #expect(tampered == 409 && findings["ok"] == false)
            #expect(findings["wallets"][0]["userId"].string == player.identity.userID)
            #expect(findings["wallets"][0]["balance"] == "10.01" && findings["wallets"][0]["ledgerSum"] == "10.00")
        }
    }
}
