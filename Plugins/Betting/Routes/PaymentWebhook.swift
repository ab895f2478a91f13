import Crypto
import Foundation
import HubKernel
import HTTPTypes
import Hummingbird

/// `POST /betting/webhooks/payment`: a payment provider's deposit.
///
/// The body `{"paymentId","username","amount":"12.50"}` must come with
/// `X-Signature: sha256=<lowercase hex HMAC-SHA256 of the raw body>` under
/// `MODULES_BETTING_WEBHOOK_SECRET`, compared in constant time; without a configured secret
/// the route answers 503. A payment is credited once: the same `paymentId` again answers 200
/// with the balance after the first credit (a different user or amount under it is 409). An
/// unknown username is 404 and creates no wallet.
struct PaymentWebhook: Sendable {
    struct Body: Decodable, Sendable, Validatable {
        var paymentId: String
        var username: String
        var amount: String
        func validate() throws(ValidationFailure) {
            guard (1...128).contains(paymentId.utf8.count), paymentId.utf8.allSatisfy({ (33...126).contains($0) }) else {
                throw ValidationFailure("paymentId", "paymentId must be 1 to 128 printable ASCII characters")
            }
            let amount = try Money(parsing: amount, field: "amount")
            guard amount.minorUnits > 0 else { throw ValidationFailure("amount", "amount must be positive") }
        }
    }
    struct Answer: Encodable, Sendable {
        var balance: Money
        var repeated: Bool
    }

    let wallets: WalletStore
    let users: any UserDirectory
    let secret: String?
    let events: EventPublisher<BettingModule>
    let metrics: ModuleMetrics

    func handle(_ request: Request) async throws -> Response {
        guard let secret else { throw HubError.unavailable("the payment webhook has no secret configured (MODULES_BETTING_WEBHOOK_SECRET)") }
        let raw: ByteBuffer
        do {
            raw = try await request.body.collect(upTo: 64 * 1024)
        } catch {
            throw HubError.payloadTooLarge("the body is larger than 64 KiB")
        }
        let bytes = Data(raw.readableBytesView)
        guard let header = request.headers[HTTPField.Name("X-Signature")!], Self.verify(signature: header, body: bytes, secret: secret) else {
            metrics.increment("webhook_rejected_total", help: "Payment webhooks refused for their signature")
            throw HubError.unauthorized("the X-Signature header is missing or does not match the body")
        }
        let body = try JSONBody.decode(Body.self, from: bytes)
        guard let user = try await users.user(username: body.username.lowercased()) else {
            throw HubError.notFound("no user '\(body.username)'")
        }
        let amount = try Money(parsing: body.amount, field: "amount")
        let (balance, repeated) = try await wallets.deposit(paymentID: body.paymentId, userID: user.id, amount: amount)
        if !repeated {
            metrics.increment("deposits_minor_units_total", by: amount.minorUnits, help: "Money deposited, in cents")
            try await events.publish(WalletChanged(balance: balance, kind: "deposit"), toUser: user.id)
        }
        return try JSONResponse.make(Answer(balance: balance, repeated: repeated))
    }

    /// Whether `signature` is `sha256=` and the lowercase or uppercase hex of HMAC-SHA256(`secret`, `body`).
    static func verify(signature: String, body: Data, secret: String) -> Bool {
        guard signature.hasPrefix("sha256="), let given = ProvablyFair.bytes(hex: String(signature.dropFirst(7))), given.count == 32 else {
            return false
        }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }
}
