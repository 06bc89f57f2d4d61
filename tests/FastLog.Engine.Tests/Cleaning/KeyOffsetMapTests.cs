using System.Text;
using FastLog.Engine.Cleaning;

namespace FastLog.Engine.Tests.Cleaning;

public sealed class KeyOffsetMapTests
{
    [Fact]
    public void Keeps_the_latest_offset_per_key_and_tells_apart_similar_keys()
    {
        var map = new KeyOffsetMap(24 * 1024);
        for (int round = 0; round < 3; round++)
        {
            for (int key = 0; key < 500; key++)
            {
                Assert.True(map.Put(Encoding.UTF8.GetBytes($"key-{key}"), round * 1000 + key));
            }
        }

        Assert.Equal(500, map.Count);
        for (int key = 0; key < 500; key++)
        {
            Assert.Equal(2000 + key, map.Get(Encoding.UTF8.GetBytes($"key-{key}")));
        }

        Assert.Equal(-1, map.Get(Encoding.UTF8.GetBytes("key-500")));
        Assert.Equal(-1, map.Get([]));
        Assert.True(map.Put([], 7));
        Assert.Equal(7, map.Get([]));
        Assert.Equal(2499, map.LatestOffset);

        // An older offset never replaces a newer one.
        Assert.True(map.Put(Encoding.UTF8.GetBytes("key-1"), 5));
        Assert.Equal(2001, map.Get(Encoding.UTF8.GetBytes("key-1")));
    }

    [Fact]
    public void A_full_map_refuses_new_keys_but_still_updates_known_ones()
    {
        var map = new KeyOffsetMap(16 * 24);
        Assert.Equal(16, map.Capacity);
        Assert.Equal(12, map.MaxEntries);
        for (int key = 0; key < 12; key++)
        {
            Assert.True(map.Put(BitConverter.GetBytes(key), key));
        }

        Assert.True(map.IsFull);
        Assert.False(map.Put(BitConverter.GetBytes(99), 99));
        Assert.True(map.Put(BitConverter.GetBytes(3), 100));
        Assert.Equal(100, map.Get(BitConverter.GetBytes(3)));

        map.Clear();
        Assert.Equal(0, map.Count);
        Assert.Equal(-1, map.Get(BitConverter.GetBytes(3)));
    }
}
