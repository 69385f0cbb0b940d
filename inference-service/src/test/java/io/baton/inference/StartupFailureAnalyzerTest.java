package io.baton.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.inference.models.ModelContractException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** A start-up failure of our own is reported with its message and what to do. */
class StartupFailureAnalyzerTest {

    @Test
    void reportsTheMessageOfAWrongSettingInsideBeanCreationFailures() {
        InvalidConfigurationException wrong = new InvalidConfigurationException(
                "baton.onnx.provider (BATON_ONNX_PROVIDER) is 'tpu'; known execution providers: cpu, cuda");
        FailureAnalysis analysis = new StartupFailureAnalyzer().analyze(
                new BeanCreationException("modelRegistry", new BeanCreationException("sessionOptionsFactory", wrong)));
        assertThat(analysis.getDescription()).isEqualTo(wrong.getMessage());
        assertThat(analysis.getAction()).contains("Correct the setting");
    }

    @Test
    void pointsABrokenModelFolderToTheContract() {
        FailureAnalysis analysis = new StartupFailureAnalyzer().analyze(
                new BeanCreationException("modelRegistry", new ModelContractException("model broken: no logits")));
        assertThat(analysis.getDescription()).isEqualTo("model broken: no logits");
        assertThat(analysis.getAction()).contains("docs/model-contract.md");
    }
}
