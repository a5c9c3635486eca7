#!/usr/bin/env bash
# Regenerates Sources/SynseProtocol/Generated from protos/synse/synse.proto.
# Needs Debian's protoc (apt-get install protobuf-compiler); the two generator
# plugins are built from the package's own swift-protobuf and grpc-swift-protobuf
# dependencies into .build-protoc (a few minutes the first time).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"

command -v protoc >/dev/null || { echo "protoc missing: apt-get install -y protobuf-compiler" >&2; exit 1; }

scratch="$here/.build-protoc"
swift build -c release --scratch-path "$scratch" --product protoc-gen-swift
swift build -c release --scratch-path "$scratch" --product protoc-gen-grpc-swift-2
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"

out="$here/Sources/SynseProtocol/Generated"
rm -rf "$out"/synse

generate_messages() {
  protoc --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
    --swift_out="$out" \
    --swift_opt=Visibility=Public \
    --swift_opt=UseAccessLevelOnImports=true \
    -I protos protos/synse/synse.proto
}

generate_grpc() {
  protoc --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
    --grpc-swift_out="$out" \
    --grpc-swift_opt=Visibility=Public \
    --grpc-swift_opt=UseAccessLevelOnImports=true \
    --grpc-swift_opt=Client=true,Server=true \
    -I protos protos/synse/synse.proto
}

generate_messages
generate_grpc
echo "generated into $out:"; ls "$out"/synse
