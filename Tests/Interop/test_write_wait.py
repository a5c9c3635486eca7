"""`/v3/write/wait` for writes slower than `grpc.timeout` (docs/api-v3.md §5.11): the server
waits for each transaction's final status, bounded by the transaction's own timeout, instead of
one plugin call bounded by `grpc.timeout`. The original answered such a write with a bare 500
after 3 s, lost the transaction and marked a working plugin inactive."""
import threading
import time

from helpers import CLIENT_DEVICES, LED, free_port, get, request, start_plugin, start_server, stop, wait_for, wait_until_serving


def test_a_write_slower_than_the_grpc_timeout_is_waited_for_and_kept():
    plugin_port = free_port()
    # One write per pass, and 2 s after each: the second of two writes ends ≥ 2 s after the
    # request, twice the server's 1 s grpc.timeout, on any machine.
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES,
                             write="{interval: 100ms, delay: 2s, batchSize: 1}")
    wait_until_serving(plugin)
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}", "SYNSE_GRPC_TIMEOUT": "1"})
    try:
        started = time.time()
        status, result = request(base, f"/v3/write/wait/{LED}", "POST",
                                 [{"action": "state", "data": "on"}, {"action": "color", "data": "00ff00"}])
        took = time.time() - started
        assert status == 200, result
        assert took >= 2, f"the second write cannot be done before the first one's 2 s delay ({took:.1f} s)"
        assert [t["status"] for t in result] == ["DONE", "DONE"], result
        assert all(t["device"] == LED and t["timeout"] == "30s" for t in result)
        # Kept: listed and answerable, and the plugin was never taken for dead.
        assert {t["id"] for t in result} <= set(get(base, "/v3/transaction")[1])
        assert get(base, f"/v3/transaction/{result[1]['id']}")[1]["status"] == "DONE"
        health = get(base, "/v3/plugin/health")[1]
        assert health["status"] == "healthy" and health["active"] == 1 and health["inactive"] == 0, health
        reading = {r["type"]: r["value"] for r in get(base, f"/v3/read/{LED}")[1]}
        assert reading["state"] == "on" and reading["color"] == "00ff00", reading
    finally:
        stop(server)
        stop(plugin)


def test_a_wait_whose_plugin_dies_is_answered_soon_and_the_transaction_kept():
    """Without an answer from the plugin the wait used to last the write's whole timeout (here
    30 s, minutes for slow hardware): a dead plugin is now seen after a few failed polls."""
    plugin_port = free_port()
    # One write per pass and 20 s after each: the second write waits for a pass the plugin,
    # killed after 1.5 s, never makes.
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES,
                             write="{interval: 100ms, delay: 20s, batchSize: 1}")
    wait_until_serving(plugin)
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}", "SYNSE_GRPC_TIMEOUT": "1"})
    killer = threading.Timer(1.5, plugin.kill)
    try:
        killer.start()
        started = time.time()
        status, result = request(base, f"/v3/write/wait/{LED}", "POST",
                                 [{"action": "state", "data": "on"}, {"action": "color", "data": "00ff00"}])
        took = time.time() - started
        assert status == 200, result
        assert took < 10, f"answered after {took:.1f} s, the write's timeout is 30 s"
        first, second = result
        assert first["status"] == "DONE", first
        assert second["status"] in ("PENDING", "WRITING"), second
        message = second["message"]
        assert "stopped answering" in message and f"GET /v3/transaction/{second['id']}" in message, message
        # Asking for it meanwhile is a prompt Synse error naming the failed plugin call, as
        # for any call to a plugin that is down (the follower ends it once the plugin answers,
        # or ERROR after cache.transaction.ttl).
        status, error = get(base, f"/v3/transaction/{second['id']}")
        assert status == 500 and error["context"] == "error while issuing gRPC request: transaction", error
        # A plugin back without it says it does not know it: the write ends ERROR, keeping
        # what it was (its context, timeout and creation time) though no status ever came.
        plugin.wait(timeout=10)
        plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
        wait_until_serving(plugin)
        lost = {}

        def ended():
            nonlocal lost
            status, lost = get(base, f"/v3/transaction/{second['id']}")
            return status == 200 and lost["status"] == "ERROR"
        wait_for(ended, timeout=30)
        assert "no longer knows the transaction" in lost["message"], lost
        assert lost["context"] == {"action": "color", "data": "00ff00"} and lost["timeout"] == "30s", lost
        assert lost["created"] and lost["created"] <= lost["updated"], lost
    finally:
        killer.cancel()
        stop(server)
        plugin.kill()
        plugin.wait()
