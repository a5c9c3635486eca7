import Hummingbird
import SynseServerCore

/// The `/v3` API: each handler parses input, calls one command, renders the result.
struct V3Routes<Context: AuthenticatedRequestContext> {
  let commands: Commands
  let renderer: JSONRenderer
  let maxBodySize: Int

  func add(to router: Router<Context>) {
    let v3 = router.group("v3")
    v3.get("config") { _, _ in renderer.response(commands.config()) }
    v3.get("plugin") { request, _ in
      // `/v3/plugin/` is plugin info with an empty ID in the original (docs/api-v3.md §1.2):
      // the router's trailing-slash tolerance would make it the list.
      if request.uri.path.hasSuffix("/") { throw SynseError.notFound("plugin not found: ") }
      return renderer.response(await commands.plugins(refresh: QueryParameters(request.uri.query).flag("refresh")))
    }
    v3.get("plugin/health") { _, _ in renderer.response(await commands.pluginHealth()) }
    v3.get("plugin/:plugin_id") { _, context in
      renderer.response(try await commands.plugin(id: try context.parameters.decoded("plugin_id")))
    }
    v3.get("scan") { request, _ in try await scan(request) }
    v3.get("device") { request, _ in try await scan(request) }
    v3.get("tags") { request, _ in
      let query = QueryParameters(request.uri.query)
      let namespaces = query.all("ns").flatMap { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty }
      return renderer.response(commands.tags(namespaces: namespaces, includeIDs: query.flag("ids")))
    }
    v3.get("info/:device_id") { _, context in
      renderer.response(try commands.info(deviceID: try context.parameters.decoded("device_id")))
    }
    v3.get("read") { request, _ in
      let query = QueryParameters(request.uri.query)
      let namespace = try query.single("ns", "invalid parameter: only one default namespace may be specified") ?? "default"
      return renderer.response(try await commands.read(namespace: namespace, tagGroups: query.tagGroups, pluginID: query.first("plugin")))
    }
    v3.get("readcache") { request, _ in try readCache(request) }
    v3.get("alarms") { request, _ in
      let query = QueryParameters(request.uri.query)
      let namespace = try query.single("ns", "invalid parameter: only one default namespace may be specified") ?? "default"
      let severities = query.all("severity").flatMap { $0.split(separator: ",").map(String.init) }
      return renderer.response(try commands.alarms(severities: severities, plugin: query.first("plugin"), namespace: namespace, tagGroups: query.tagGroups))
    }
    v3.get("read/:device_id") { _, context in
      renderer.response(try await commands.readDevice(try context.parameters.decoded("device_id")))
    }
    v3.get("device/:device_id/thresholds") { _, context in
      renderer.response(try commands.thresholds(deviceID: try context.parameters.decoded("device_id")))
    }
    v3.get("device/:device_id") { _, context in
      renderer.response(try await commands.readDevice(try context.parameters.decoded("device_id")))
    }
    v3.post("write/:device_id") { request, context in
      let items = try await writeItems(request)
      return renderer.response(
        try await commands.writeAsync(deviceID: try context.parameters.decoded("device_id"), items: items, caller: context.callerOrAnonymous))
    }
    v3.post("write/wait/:device_id") { request, context in try await writeSync(request, context) }
    v3.post("device/:device_id") { request, context in try await writeSync(request, context) }
    v3.get("events") { request, _ in try EventStreamRoute(commands: commands).response(request) }
    v3.get("transaction") { _, _ in renderer.response(commands.transactionIDs()) }
    v3.get("transaction/:transaction_id") { _, context in
      renderer.response(try await commands.transaction(try context.parameters.decoded("transaction_id")))
    }
  }

  private func scan(_ request: Request) async throws -> Response {
    let query = QueryParameters(request.uri.query)
    let namespace = try query.single("ns", "invalid parameter: only one namespace may be specified") ?? "default"
    let sort = try query.single("sort", "invalid parameter: only one sort key may be specified")
    return renderer.response(try await commands.scan(namespace: namespace, tagGroups: query.tagGroups, force: query.flag("force"), sort: sort))
  }

  private func writeSync(_ request: Request, _ context: Context) async throws -> Response {
    let items = try await writeItems(request)
    return renderer.response(
      try await commands.writeSync(deviceID: try context.parameters.decoded("device_id"), items: items, caller: context.callerOrAnonymous))
  }

  private func writeItems(_ request: Request) async throws -> [WriteItem] {
    var request = request
    let body = try await request.collectBody(upTo: maxBodySize)
    return try Commands.writeItems(from: Array(buffer: body))
  }

  /// NDJSON, one compact reading per line, streamed as plugins answer.
  private func readCache(_ request: Request) throws -> Response {
    let query = QueryParameters(request.uri.query)
    let start = try query.single("start", "invalid parameter: only one cache start may be specified") ?? ""
    let end = try query.single("end", "invalid parameter: only one cache end may be specified") ?? ""
    let commands = self.commands
    return Response(
      status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
      body: ResponseBody { writer in
        let (lines, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .unbounded)
        async let produced: Void = {
          await commands.readCache(start: start, end: end) { reading in continuation.yield(reading.serializedBytes(pretty: false) + [0x0A]) }
          continuation.finish()
        }()
        for await line in lines { try await writer.write(ByteBuffer(bytes: line)) }
        await produced
        try await writer.finish(nil)
      })
  }
}
