/// The kernel's own migrations, recorded under the module name `hub`.
enum KernelMigrations {
    static let all: [any Migration] = [
        Hub001CreateUsers(),
        Hub002CreateRefreshTokens(),
        Hub003CreateFeatureFlags(),
        Hub004AddTokensValidAfter(),
        Hub005CreateClusterTables(),
        Hub006CreatePublishFunction(),
        Hub007CreateNotificationFunctions(),
    ]
}
