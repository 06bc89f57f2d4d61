using System.Text;

namespace FastLog.Server.Metrics;

/// <summary>One answer of the <see cref="MetricsHttpServer"/>: status code, content type and body.</summary>
internal readonly record struct HttpAnswer(int StatusCode, string ContentType, byte[] Body)
{
    public static HttpAnswer Text(int statusCode, string text) => new(statusCode, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text));

    public string ReasonPhrase => StatusCode switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
}
