#!/usr/bin/python3
"""A Hotline client in Python: submit requests for help, and follow the live feed.

Stubs are generated from protos/ at first use with grpc_tools (Debian: python3-grpc-tools),
so the example always matches the contract it runs against. Tokens are read from a file named
by --token-file (never from the command line, where other users can see them in `ps`).

  hotline_example.py submit --token-file web-form.token --request-id sms-4711 \
      --channel CHANNEL_SMS --message-file message.txt [--language ru] [--urgency URGENCY_URGENT]
  hotline_example.py watch --token-file feed.token [--resume-after REVISION] [--stop-after-changes N]

Every result is one JSON line on stdout; nothing printed ever holds a message or contact handle.
Exit codes: 0 done; 2 refused by the server (the JSON line says why); 3 gave up retrying.
"""

import argparse
import glob
import json
import os
import random
import sys
import time

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(HERE))

# Codes after which the same call, with the same request_id, may succeed: nothing was stored.
RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.RESOURCE_EXHAUSTED}
# RESOURCE_EXHAUSTED is retryable only for these reasons; MESSAGE_TOO_LARGE never succeeds.
RETRYABLE_EXHAUSTION = {"RATE_LIMITED", "TOO_MANY_WATCHES", "WATCH_TOO_SLOW", ""}


def load_stubs(stub_dir):
    """Generates the Python modules for protos/ (and the google.rpc subset) into stub_dir once."""
    from grpc_tools import protoc
    import grpc_tools

    protos = sorted(glob.glob(os.path.join(REPOSITORY, "protos", "hotline", "v1", "*.proto")))
    details = os.path.join(REPOSITORY, "examples", "proto", "rpc_details.proto")
    # The contract's HTTP annotations import google/api; the repository declares those here.
    imports = os.path.join(REPOSITORY, "contract", "imports")
    annotations = sorted(glob.glob(os.path.join(imports, "google", "api", "*.proto")))
    sources = protos + [details] + annotations
    marker = os.path.join(stub_dir, ".generated")
    newest = max(os.path.getmtime(p) for p in sources)
    if not os.path.exists(marker) or os.path.getmtime(marker) < newest:
        os.makedirs(stub_dir, exist_ok=True)
        well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        arguments = ["grpc_tools.protoc", "-I" + os.path.join(REPOSITORY, "protos"),
                     "-I" + os.path.dirname(details), "-I" + imports, "-I" + well_known,
                     "--python_out=" + stub_dir, "--grpc_python_out=" + stub_dir] + sources
        if protoc.main(arguments) != 0:
            raise SystemExit("protoc could not compile protos/")
        with open(marker, "w", encoding="utf-8"):
            pass
    sys.path.insert(0, stub_dir)


def read_token(path):
    with open(path, encoding="utf-8") as token_file:
        token = token_file.read().strip()
    if not token:
        raise SystemExit(f"{path} holds no token")
    return token


def open_channel(args):
    """Plaintext only for a loopback development server; otherwise TLS, optionally pinned."""
    options = [("grpc.keepalive_time_ms", 60_000), ("grpc.keepalive_timeout_ms", 30_000)]
    if args.plaintext:
        return grpc.insecure_channel(args.address, options=options)
    root = None
    if args.server_certificate:
        # Trusting exactly the server's own (self-signed) certificate pins it: no CA can vouch
        # for an impostor. Without it the system's CAs are used.
        with open(args.server_certificate, "rb") as pem:
            root = pem.read()
    return grpc.secure_channel(args.address, grpc.ssl_channel_credentials(root_certificates=root), options=options)


def status_details(error):
    """Decodes google.rpc.Status from the grpc-status-details-bin trailer of a failed call."""
    import rpc_details_pb2

    found = {"reason": "", "metadata": {}, "field_violations": [], "retry_delay_seconds": None}
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = rpc_details_pb2.Status.FromString(value)
        for detail in status.details:
            kind = detail.type_url.rsplit("/", 1)[-1]
            if kind == "google.rpc.ErrorInfo":
                info = rpc_details_pb2.ErrorInfo.FromString(detail.value)
                found["reason"] = info.reason
                found["metadata"] = dict(info.metadata)
            elif kind == "google.rpc.BadRequest":
                bad = rpc_details_pb2.BadRequest.FromString(detail.value)
                found["field_violations"] = [{"field": v.field, "description": v.description} for v in bad.field_violations]
            elif kind == "google.rpc.RetryInfo":
                retry = rpc_details_pb2.RetryInfo.FromString(detail.value)
                found["retry_delay_seconds"] = retry.retry_delay.seconds + retry.retry_delay.nanos / 1e9
    return found


def describe(error):
    details = status_details(error)
    # The server's messages never repeat what was submitted, so they are safe to print.
    return {"ok": False, "code": error.code().name, "message": error.details(), **details}


def should_retry(error, details):
    if error.code() not in RETRYABLE:
        return False
    return error.code() != grpc.StatusCode.RESOURCE_EXHAUSTED or details["reason"] in RETRYABLE_EXHAUSTION


def emit(line):
    print(json.dumps(line, ensure_ascii=False), flush=True)


def submit(args, v1, services):
    with open(args.message_file, encoding="utf-8") as message_file:
        message = message_file.read()
    request = v1.SubmitRequestRequest(
        request_id=args.request_id,
        channel=v1.Channel.Value(args.channel),
        message=message,
        language=args.language or "",
        urgency=v1.Urgency.Value(args.urgency),
    )
    if args.contact_handle_file:
        with open(args.contact_handle_file, encoding="utf-8") as handle_file:
            request.contact_handle = handle_file.read().strip()
    metadata = [("authorization", "Bearer " + read_token(args.token_file))]
    with open_channel(args) as channel:
        intake = services.IntakeServiceStub(channel)
        delay = 0.2
        for attempt in range(1, args.attempts + 1):
            try:
                receipt = intake.SubmitRequest(request, metadata=metadata, timeout=10)
                emit({"ok": True, "name": receipt.name, "number": receipt.number,
                      "duplicate": receipt.duplicate, "attempts": attempt})
                return 0
            except grpc.RpcError as error:
                details = status_details(error)
                if not should_retry(error, details) or attempt == args.attempts:
                    emit({**describe(error), "attempts": attempt})
                    return 2 if not should_retry(error, details) else 3
                # Honour the server's RetryInfo; otherwise back off exponentially, with jitter.
                wait = details["retry_delay_seconds"]
                if wait is None:
                    wait = delay * (0.5 + random.random())
                    delay = min(delay * 2, 10)
                emit({"ok": False, "retrying_in_seconds": round(wait, 3), "code": error.code().name,
                      "reason": details["reason"], "server_said": details["retry_delay_seconds"] is not None,
                      "attempt": attempt})
                time.sleep(wait)
    return 3


def watch(args, v1, services):
    """Follows the feed; a dropped stream resumes after the last applied revision, exactly once."""
    metadata = [("authorization", "Bearer " + read_token(args.token_file))]
    last_applied = args.resume_after  # 0: start with a snapshot
    changes = 0
    reconnects = 0
    with open_channel(args) as channel:
        requests = services.RequestServiceStub(channel)
        while True:
            call = requests.WatchRequests(v1.WatchRequestsRequest(start_revision=last_applied + 1 if last_applied else 0),
                                          metadata=metadata)
            try:
                for event in call:
                    kind = event.WhichOneof("event")
                    if kind == "reset":
                        last_applied = 0
                        emit({"event": "reset", "reason": event.reset.reason})
                    elif kind == "snapshot":
                        emit({"event": "snapshot", "requests": [r.name for r in event.snapshot.requests]})
                    elif kind == "snapshot_end":
                        last_applied = event.snapshot_end.revision
                        emit({"event": "snapshot_end", "revision": last_applied})
                    elif kind == "progress":
                        last_applied = max(last_applied, event.progress.revision)
                        emit({"event": "progress", "revision": event.progress.revision})
                    elif kind == "change":
                        change = event.change
                        if change.revision <= last_applied:
                            continue  # already applied before a reconnect: at-least-once on the wire
                        last_applied = change.revision
                        changes += 1
                        emit({"event": "change", "revision": change.revision, "kind": v1.ChangeKind.Name(change.kind),
                              "name": change.name, "state": v1.RequestState.Name(change.request.state),
                              "assignee": change.request.assignee, "actor": change.actor})
                        if args.stop_after_changes and changes >= args.stop_after_changes:
                            call.cancel()
                            emit({"event": "stopped", "last_applied": last_applied})
                            return 0
                emit({"event": "ended", "last_applied": last_applied})
                return 0
            except grpc.RpcError as error:
                details = status_details(error)
                if not should_retry(error, details) or reconnects >= args.attempts:
                    emit({"event": "failed", **describe(error), "last_applied": last_applied})
                    return 2
                reconnects += 1
                wait = details["retry_delay_seconds"] or min(0.5 * 2 ** reconnects, 10) * (0.5 + random.random())
                emit({"event": "reconnecting", "code": error.code().name, "reason": details["reason"],
                      "in_seconds": round(wait, 3), "last_applied": last_applied})
                time.sleep(wait)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", default="127.0.0.1:5171", help="host:port of the server")
    parser.add_argument("--plaintext", action="store_true", help="no TLS: only for a server on loopback")
    parser.add_argument("--server-certificate", help="PEM certificate to pin (a self-signed server)")
    parser.add_argument("--token-file", required=True, help="file holding the bearer token")
    parser.add_argument("--attempts", type=int, default=8, help="tries before giving up on a retryable error")
    parser.add_argument("--stub-dir", default=os.environ.get("HOTLINE_STUB_DIR", os.path.join(HERE, "generated")))
    commands = parser.add_subparsers(dest="command", required=True)
    submit_command = commands.add_parser("submit", help="submit one request (intake role)")
    submit_command.add_argument("--request-id", required=True, help="the same id for every retry of one submission")
    submit_command.add_argument("--channel", default="CHANNEL_WEB_FORM")
    submit_command.add_argument("--message-file", required=True)
    submit_command.add_argument("--contact-handle-file")
    submit_command.add_argument("--language")
    submit_command.add_argument("--urgency", default="URGENCY_UNSPECIFIED")
    watch_command = commands.add_parser("watch", help="follow the live feed (operator role or above)")
    watch_command.add_argument("--resume-after", type=int, default=0, help="last revision applied; 0 starts with a snapshot")
    watch_command.add_argument("--stop-after-changes", type=int, default=0, help="drop the stream after N new changes")
    args = parser.parse_args()

    load_stubs(args.stub_dir)
    from hotline.v1 import intake_service_pb2, intake_service_pb2_grpc, request_service_pb2, request_service_pb2_grpc, request_pb2

    if args.command == "submit":
        v1 = Namespace(intake_service_pb2, request_pb2)
        return submit(args, v1, intake_service_pb2_grpc)
    v1 = Namespace(request_service_pb2, request_pb2)
    return watch(args, v1, request_service_pb2_grpc)


class Namespace:
    """The hotline.v1 names from several generated modules under one prefix, as in other languages."""

    def __init__(self, *modules):
        self._modules = modules

    def __getattr__(self, name):
        for module in self._modules:
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(name)


if __name__ == "__main__":
    sys.exit(main())
