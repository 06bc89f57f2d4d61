namespace FastLog.Client.Consumer.Assignment;

/// <summary>One group member as an assignor sees it.</summary>
/// <param name="MemberId">The coordinator-given member id.</param>
/// <param name="GroupInstanceId">The static member id (<c>group.instance.id</c>), or null.</param>
/// <param name="Subscription">What the member sent in JoinGroup.</param>
internal sealed record AssignorMember(string MemberId, string? GroupInstanceId, ConsumerSubscription Subscription)
{
    /// <summary>
    /// The order Java's assignors deal members in (<c>MemberInfo.compareTo</c>): static members first, by instance
    /// id, then dynamic members by member id. Matching it keeps a mixed group's assignment the same whichever
    /// client is leader.
    /// </summary>
    public static int Compare(AssignorMember? x, AssignorMember? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        if (x.GroupInstanceId is not null && y.GroupInstanceId is not null)
        {
            int byInstance = string.CompareOrdinal(x.GroupInstanceId, y.GroupInstanceId);
            return byInstance != 0 ? byInstance : string.CompareOrdinal(x.MemberId, y.MemberId);
        }

        if (x.GroupInstanceId is not null)
        {
            return -1;
        }

        if (y.GroupInstanceId is not null)
        {
            return 1;
        }

        return string.CompareOrdinal(x.MemberId, y.MemberId);
    }
}
