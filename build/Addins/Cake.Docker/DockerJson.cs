using System.Text.Json.Serialization;

namespace Cake.Docker;

/// <summary>The JSON <c>docker inspect --format '{{json ...}}'</c> prints, read without reflection (the natively compiled build host has none to read it with).</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class DockerJson : JsonSerializerContext;
