using Crossboard.Tests.Support;

namespace Crossboard.Tests.Common;

/// <summary>A TextTable as Markdown (a CI's summary page): the same cells, a '|' or a line break in one kept inside its cell.</summary>
[Tier(TestTier.Unit)]
public sealed class TextTableMarkdownTests
{
    [Fact]
    public void Cells_stay_in_their_columns()
    {
        var table = new TextTable("device", "detail")
            .Add("roof", "smoke check passed")
            .Add("cellar", "said: a | b\nthen gave up");

        Assert.Equal(
            "| device | detail |\n| --- | --- |\n| roof | smoke check passed |\n| cellar | said: a \\| b then gave up |\n",
            table.ToMarkdown().ReplaceLineEndings("\n"));
    }
}
