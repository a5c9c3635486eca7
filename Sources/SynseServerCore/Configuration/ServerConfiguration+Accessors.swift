extension ServerConfiguration {
  /// `plugin.discover.kubernetes`, nil when the configuration does not name it (the section's
  /// fields have defaults, so whether it was named is kept apart).
  public var kubernetes: KubernetesDiscoveryConfiguration? { plugin.discoverKubernetes ? plugin.kubernetes : nil }
}
