namespace LearnPlatform.IntegrationTests.Qti;

/// <summary>QTI 3.0 files as other tools write them: no test, prompts inside interactions, inline text entries, mappings.</summary>
public static class QtiSamples
{
    private const string Asi = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0";

    public static string Manifest(params string[] itemHrefs) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" identifier="m1">
          <metadata><schema>QTI Package</schema><schemaversion>3.0.0</schemaversion></metadata>
          <organizations/>
          <resources>
            {string.Join("\n", itemHrefs.Select((h, i) => $"""<resource identifier="r{i}" type="imsqti_item_xmlv3p0" href="{h}"><file href="{h}"/></resource>"""))}
            <resource identifier="css" type="webcontent" href="style/item.css"><file href="style/item.css"/></resource>
          </resources>
        </manifest>
        """;

    public static string ChoiceWithPromptInside => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <qti-assessment-item xmlns="{Asi}" identifier="capital.fr" title="Capital" adaptive="false" time-dependent="false">
          <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
            <qti-correct-response><qti-value>B</qti-value></qti-correct-response>
          </qti-response-declaration>
          <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
          <qti-item-body>
            <p>Look at the map.</p>
            <qti-choice-interaction response-identifier="RESPONSE" max-choices="1" shuffle="false">
              <qti-prompt>Which city is the capital of <em>France</em>?</qti-prompt>
              <qti-simple-choice identifier="A">Lyon</qti-simple-choice>
              <qti-simple-choice identifier="B">
                  Paris
              </qti-simple-choice>
              <qti-simple-choice identifier="C">Marseille</qti-simple-choice>
            </qti-choice-interaction>
          </qti-item-body>
          <qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct"/>
        </qti-assessment-item>
        """;

    public static string InlineTextEntry => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <qti-assessment-item xmlns="{Asi}" identifier="TE1" title="Keyword" adaptive="false" time-dependent="false">
          <qti-response-declaration identifier="R1" cardinality="single" base-type="string">
            <qti-correct-response><qti-value>def</qti-value></qti-correct-response>
            <qti-mapping default-value="0">
              <qti-map-entry map-key="def" mapped-value="2"/>
              <qti-map-entry map-key="lambda" mapped-value="0"/>
              <qti-map-entry map-key="def keyword" mapped-value="1"/>
            </qti-mapping>
          </qti-response-declaration>
          <qti-outcome-declaration identifier="MAXSCORE" cardinality="single" base-type="float"><qti-default-value><qti-value>2</qti-value></qti-default-value></qti-outcome-declaration>
          <qti-item-body>
            <p>In Python, the keyword <qti-text-entry-interaction response-identifier="R1" expected-length="6"/> starts a function.</p>
          </qti-item-body>
        </qti-assessment-item>
        """;

    public static string EssayWithRubric => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <qti-assessment-item xmlns="{Asi}" identifier="ESSAY" title="Essay" adaptive="false" time-dependent="false">
          <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string"/>
          <qti-outcome-declaration identifier="MAXSCORE" cardinality="single" base-type="float"><qti-default-value><qti-value>4</qti-value></qti-default-value></qti-outcome-declaration>
          <qti-item-body>
            <qti-rubric-block use="instructions" view="candidate"><qti-content-body><p>Write 100 words.</p></qti-content-body></qti-rubric-block>
            <qti-extended-text-interaction response-identifier="RESPONSE"><qti-prompt>Explain recursion.</qti-prompt></qti-extended-text-interaction>
            <qti-rubric-block use="scoring" view="scorer tutor"><qti-content-body><p>Base case (2)</p><p>Recursive step (2)</p></qti-content-body></qti-rubric-block>
          </qti-item-body>
        </qti-assessment-item>
        """;

    public static string MatchInteraction => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <qti-assessment-item xmlns="{Asi}" identifier="MATCH" title="Match" adaptive="false" time-dependent="false">
          <qti-response-declaration identifier="RESPONSE" cardinality="multiple" base-type="directedPair"/>
          <qti-item-body><qti-match-interaction response-identifier="RESPONSE" max-associations="2"/></qti-item-body>
        </qti-assessment-item>
        """;

    /// <summary>How QTI 3.0 tools carry a code question: a portable custom interaction (an editor) with a string response.</summary>
    public static string CodeEditorInteraction => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <qti-assessment-item xmlns="{Asi}" identifier="CODE" title="Code" adaptive="false" time-dependent="false">
          <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string"/>
          <qti-item-body>
            <p>Write add(a, b).</p>
            <qti-portable-custom-interaction response-identifier="RESPONSE" custom-interaction-type-identifier="urn:example:code-editor" module="editor">
              <qti-interaction-markup><div class="editor" data-language="python"></div></qti-interaction-markup>
            </qti-portable-custom-interaction>
          </qti-item-body>
        </qti-assessment-item>
        """;

    public const string Qti21Item = """
        <?xml version="1.0" encoding="UTF-8"?>
        <assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="OLD" title="Old" adaptive="false" timeDependent="false"/>
        """;

    public static string ChoiceWithImage => SingleChoice("IMG", "Image", correct: "A", """
        <p>Which shape is this? <img src="images/shape.png" alt="a shape"/></p>
        <qti-choice-interaction response-identifier="RESPONSE" max-choices="1">
          <qti-simple-choice identifier="A">Circle</qti-simple-choice>
          <qti-simple-choice identifier="B">Square</qti-simple-choice>
        </qti-choice-interaction>
        """);

    public static string ChoiceWithUnknownKey => SingleChoice("BADKEY", "Bad key", correct: "Z", """
        <qti-choice-interaction response-identifier="RESPONSE" max-choices="1">
          <qti-simple-choice identifier="A">Yes</qti-simple-choice>
          <qti-simple-choice identifier="B">No</qti-simple-choice>
        </qti-choice-interaction>
        """);

    public static string ChoiceWithOneOption => SingleChoice("ONE", "One option", correct: "A", """
        <qti-choice-interaction response-identifier="RESPONSE" max-choices="1"><qti-prompt>Only one?</qti-prompt><qti-simple-choice identifier="A">Yes</qti-simple-choice></qti-choice-interaction>
        """);

    private static string SingleChoice(string identifier, string title, string correct, string body) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <qti-assessment-item xmlns="{Asi}" identifier="{identifier}" title="{title}" adaptive="false" time-dependent="false">
          <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
            <qti-correct-response><qti-value>{correct}</qti-value></qti-correct-response>
          </qti-response-declaration>
          <qti-item-body>
        {body}
          </qti-item-body>
        </qti-assessment-item>
        """;
}
