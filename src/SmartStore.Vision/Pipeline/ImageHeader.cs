using System.Buffers.Binary;

namespace SmartStore.Vision.Pipeline;

/// <summary>
/// The pixel size an encoded JPEG or PNG declares, read from its header without decoding it, so that a small
/// file declaring a 60,000 × 60,000 image is refused before OpenCV allocates for it.
/// </summary>
public static class ImageHeader
{
    /// <summary>The declared width and height, or null when the header cannot be read (the decoder then decides).</summary>
    public static (int Width, int Height)? SizeOf(ReadOnlySpan<byte> image)
    {
        if (image.Length >= 24 && image[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) && image.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return ((int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(image[16..])), (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(image[20..])));
        }

        return image.Length >= 4 && image[0] == 0xFF && image[1] == 0xD8 ? JpegSize(image) : null;
    }

    /// <summary>Walks the JPEG's marker segments to its start-of-frame, which holds the size.</summary>
    private static (int Width, int Height)? JpegSize(ReadOnlySpan<byte> image)
    {
        var at = 2;
        while (at + 4 <= image.Length)
        {
            if (image[at] != 0xFF)
            {
                return null;
            }

            var marker = image[at + 1];
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7) or 0xFF)
            {
                at += marker == 0xFF ? 1 : 2;
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(image[(at + 2)..]);
            if (length < 2)
            {
                return null;
            }

            // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return at + 9 <= image.Length ? (BinaryPrimitives.ReadUInt16BigEndian(image[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(image[(at + 5)..])) : null;
            }

            at += 2 + length;
        }

        return null;
    }
}
