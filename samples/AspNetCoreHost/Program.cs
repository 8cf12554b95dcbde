using Nats.Core;
using Nats.Server.Hosting;

// A web application that hosts a NATS server: the server's settings are the "Nats" section
// (nats-server's own keys), its logs go to the application's logging, /health reports the
// server's /healthz, and stopping the application puts the server in lame duck mode first.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddNatsServer(builder.Configuration.GetSection("Nats"));
builder.Services.AddHealthChecks().AddNatsServerHealthCheck();

var app = builder.Build();
app.MapHealthChecks("/health");
// Application endpoints can use the server directly.
app.MapGet("/nats", (NatsServer server) => new { server_id = server.ServerId, port = server.Port, connections = server.Clients.Count });
app.Run();
