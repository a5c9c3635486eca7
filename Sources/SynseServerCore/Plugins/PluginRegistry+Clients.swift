extension PluginEndpoint {
  var isEmbedded: Bool {
    if case .embedded = self { return true }
    return false
  }
}

extension PluginRegistry {
  /// A client for `endpoint` from the ``PluginClientFactory``, its connections run by
  /// ``PluginConnections``. TCP and Unix endpoints get a new client (a new connection, free
  /// of the old one's backoff) each time; an embedded plugin keeps its one in-process client.
  /// A client that opens a second connection (its plugin restarted, maybe as another plugin)
  /// has its identity checked.
  func makeClient(for endpoint: PluginEndpoint) throws -> any PluginClient {
    if let existing = embeddedClients[endpoint] { return existing }
    let label = labels[endpoint] ?? PluginLabel()
    labels[endpoint] = label
    let client = try clients.makeClient(for: endpoint, label: label) { [weak self] in
      guard let self else { return }
      Task { await self.checkIdentity(endpoint) }
    }
    if endpoint.isEmbedded { embeddedClients[endpoint] = client }
    connections.start(client)
    return client
  }
}
