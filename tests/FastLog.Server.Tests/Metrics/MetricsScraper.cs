using System.Net;
using FastLog.Server.Broker;

namespace FastLog.Server.Tests.Metrics;

/// <summary>Fetches a broker's /metrics (parsed and checked) and other paths of its metrics endpoint over real HTTP.</summary>
internal static class MetricsScraper
{
    // Only a guard against a hung test run; nothing asserts on how long a scrape takes.
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static Uri Url(FastLogBroker broker, string path)
    {
        var endPoint = broker.MetricsEndPoint ?? throw new InvalidOperationException("the broker has no metrics endpoint");
        return new Uri($"http://{endPoint.Address}:{endPoint.Port}{path}");
    }

    public static async Task<Exposition> ScrapeAsync(FastLogBroker broker)
    {
        using var response = await Http.GetAsync(Url(broker, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        return Exposition.Parse(await response.Content.ReadAsStringAsync());
    }

    public static async Task<(HttpStatusCode Status, string? ContentType, string Body)> SendAsync(FastLogBroker broker, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, Url(broker, path));
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Scrapes until <paramref name="done"/> holds, for values an asynchronous flusher moves; a bounded hang guard, not a timing assert.</summary>
    public static async Task<Exposition> ScrapeUntilAsync(FastLogBroker broker, Func<Exposition, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var exposition = await ScrapeAsync(broker);
            if (done(exposition) || DateTime.UtcNow > deadline)
            {
                return exposition;
            }

            await Task.Delay(20);
        }
    }
}
