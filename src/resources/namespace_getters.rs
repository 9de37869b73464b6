// Generated from the endpoint table (src/resources/) by src/resources/surface.rs:
// edit the table, then run `UPDATE=1 cargo test -q --lib surface`.
//
// The namespace getters of `ConveyorClient` (`client.exchange`...), for `include!` in
// `src/resources_shell.rs`, where `ConveyorClient::namespace` builds each one from the table.

#[wasm_bindgen]
impl ConveyorClient {
    /// The Trust Center: connections, access requests, authorizations, access groups, folders, documents.
    #[wasm_bindgen(getter)]
    pub fn exchange(&self) -> JsValue {
        self.namespace("exchange")
    }

    /// Security questionnaires.
    #[wasm_bindgen(getter)]
    pub fn questionnaires(&self) -> JsValue {
        self.namespace("questionnaires")
    }

    /// The knowledge base of approved answers.
    #[wasm_bindgen(getter, js_name = knowledgeBase)]
    pub fn knowledge_base(&self) -> JsValue {
        self.namespace("knowledgeBase")
    }

    /// What visitors did with documents and answers.
    #[wasm_bindgen(getter)]
    pub fn interactions(&self) -> JsValue {
        self.namespace("interactions")
    }

    /// Product lines (used to scope documents, answers and questionnaires).
    #[wasm_bindgen(getter, js_name = productLines)]
    pub fn product_lines(&self) -> JsValue {
        self.namespace("productLines")
    }

    /// One question answered from the knowledge base.
    #[wasm_bindgen(getter, js_name = singleQuestion)]
    pub fn single_question(&self) -> JsValue {
        self.namespace("singleQuestion")
    }

    /// Vendor reviews.
    #[wasm_bindgen(getter)]
    pub fn reviews(&self) -> JsValue {
        self.namespace("reviews")
    }

    /// Questionnaire requests from external systems.
    #[wasm_bindgen(getter, js_name = questionnaireRequests)]
    pub fn questionnaire_requests(&self) -> JsValue {
        self.namespace("questionnaireRequests")
    }
}
